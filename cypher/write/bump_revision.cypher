// Count a write; returns the new revision.
MERGE (m:Meta {key: 'revision'})
ON CREATE SET m.value = 0
SET m.value = m.value + 1
RETURN m.value AS revision
