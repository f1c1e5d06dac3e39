-- feedbench schema, version 4: the (rater, aspect) index also carries the
-- completion and the value, so statistics read every rating from the index
-- alone (about 40 bytes a rating) instead of rows that hold rationales.
DROP INDEX rating_rater_aspect;
CREATE INDEX rating_rater_aspect ON rating(rater_id, aspect_id, completion_id, value, na);
