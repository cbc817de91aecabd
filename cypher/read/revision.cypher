// The write counter.
OPTIONAL MATCH (m:Meta {key: 'revision'})
RETURN coalesce(m.value, 0) AS revision
