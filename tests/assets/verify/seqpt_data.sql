-- Rows for the bundled example's legacy schema (created by create_legacy_schema.py), with the
-- problems a merge of MVPUser into User and Integer organization/user ids would meet.
-- Every planted problem is counted in tests/test_verify_example.py (PLANTED).

INSERT INTO organization (id, organization_name, organization_public_key) VALUES
    (1, 'Acme', 'ACME'), (2, 'Globex', 'GLBX'), (4, 'Umbrella', 'UMBR');
INSERT INTO users (id, username, email, password_hash, organization_id) VALUES
    (1, 'bob', 'bob@example.org', 'h', 1),
    (7, 'erin', 'erin@example.org', 'h', 1);
INSERT INTO mvp_users (id, email, password_hash, organization_id) VALUES
    ('7', 'frank@example.org', 'h', '2'),                                  -- id 7 is erin once cast
    ('8', 'gina@example.org', 'h', '04'),                                  -- no users.id 8
    ('3f2c9a7e-0d1b-4c55-9e0a-7b1d2c3e4f50', 'bob@example.org', 'h', '1'), -- merge-collision (email)
    ('a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d', 'hank@example.org', 'h', 'abc'), -- uncastable organization_id
    ('9', 'ivan@example.org', 'h', '55');                                  -- orphaned organization_id
INSERT INTO maturity_assessments (id, organization_id, user_id) VALUES
    ('m1', '2', '7'),        -- fk-inconsistent: user 7 (erin) belongs to organization 1
    ('m2', '04', '8'),       -- '04' finds organization 4; user 8 is an orphan
    ('m3', '99', '3f2c9a7e-0d1b-4c55-9e0a-7b1d2c3e4f50'),   -- orphaned organization; uncastable user
    ('m4', 'abc', 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d');  -- uncastable organization and user
INSERT INTO learning_plans (id, user_id, organization_id) VALUES
    ('p1', '3f2c9a7e-0d1b-4c55-9e0a-7b1d2c3e4f50', 1),      -- uncastable user
    ('p2', '7', 2);                                          -- fk-inconsistent: erin is in organization 1
