-- bench/trash-restore.sh: 10,000 people with 10 faces each, on assets 200,001..300,000 of the big
-- library (the temp table seq from the script), each person's thumbnail one of its faces.
CREATE TEMP TABLE ppl AS SELECT g AS n, gen_random_uuid() AS id FROM generate_series(0, 9999) g;
INSERT INTO people (id, library_id, name, created_at, updated_at)
SELECT p.id, l.id, 'person ' || p.n, now(), now() FROM ppl p, libraries l WHERE l.name = 'big';
INSERT INTO faces (id, library_id, asset_id, person_id, source, x, y, w, h, created_at, updated_at)
SELECT gen_random_uuid(), s.library_id, s.id, p.id, 'manual', 10, 10, 100, 100, now(), now()
  FROM seq s JOIN ppl p ON p.n = (s.n - 200001) % 10000
 WHERE s.n BETWEEN 200001 AND 300000;
UPDATE people p SET thumbnail_face_id = f.id
  FROM (SELECT DISTINCT ON (person_id) person_id, id FROM faces ORDER BY person_id, created_at, id) f
 WHERE f.person_id = p.id;
