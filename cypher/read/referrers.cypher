// Nodes whose fields name one of $ids (parent, series, subject of a count, subject of a note).
MATCH (n:Node)
WHERE n.parent_id IN $ids OR n.series_id IN $ids OR n.subject_id IN $ids OR n.about_id IN $ids
RETURN coalesce(n.parent_id, '') AS parent_id, coalesce(n.series_id, '') AS series_id,
       coalesce(n.subject_id, '') AS subject_id, coalesce(n.about_id, '') AS about_id, n.id AS id
ORDER BY id
