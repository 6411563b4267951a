-- Legacy SE-QPT database as the three drifted model modules left it, with planted problems.
-- Every planted problem is counted in tests/test_verify.py (PLANTED).

CREATE TABLE organization (
    id serial PRIMARY KEY,
    organization_name varchar(255) NOT NULL,
    organization_public_key varchar(50) UNIQUE
);
CREATE TABLE competency (id serial PRIMARY KEY, competency_name varchar(255) NOT NULL);
CREATE TABLE role_cluster (id serial PRIMARY KEY, role_cluster_name varchar(255) NOT NULL UNIQUE);
CREATE TABLE app_user (
    id serial PRIMARY KEY,
    organization_id integer REFERENCES organization(id),
    name varchar(100),
    username varchar(50) NOT NULL          -- not UNIQUE here; the unified schema makes it so
);
CREATE TABLE users (
    id serial PRIMARY KEY,
    username varchar(80) NOT NULL UNIQUE,
    email varchar(120) NOT NULL UNIQUE,
    password_hash varchar(255),
    organization_id integer REFERENCES organization(id)
);
CREATE TABLE mvp_users (
    id serial PRIMARY KEY,
    username varchar(80) NOT NULL UNIQUE,
    email varchar(120) NOT NULL UNIQUE,
    password_hash varchar(255),
    organization_id varchar(36)            -- pointed at 'organizations', which never existed
);
CREATE TABLE assessments (
    id serial PRIMARY KEY,
    user_id integer NOT NULL REFERENCES users(id),
    organization_id integer REFERENCES organization(id),   -- unified: ON DELETE CASCADE
    role_cluster_id integer                                  -- unified: FK to role_cluster
);
CREATE TABLE competency_assessment_result (
    id serial PRIMARY KEY,
    user_id integer NOT NULL REFERENCES app_user(id),
    competency_id integer NOT NULL,        -- no constraint: orphans possible
    score integer
);
CREATE TABLE maturity_assessments (
    id serial PRIMARY KEY,
    organization_id varchar(36),           -- unified: Integer FK to organization
    score integer
);
CREATE TABLE learning_objectives (
    id serial PRIMARY KEY,
    assessment_id integer REFERENCES assessments(id),
    objective_text text                    -- unified: String(200)
);
CREATE TABLE questionnaires (              -- unified: renamed to questionnaire
    id serial PRIMARY KEY,
    name varchar(100) NOT NULL UNIQUE,
    title varchar(200)                     -- unified: NOT NULL
);

INSERT INTO organization (id, organization_name, organization_public_key) VALUES
    (1, 'Acme', 'ACME'), (2, 'Globex', 'GLBX'), (3, 'Initech', 'INIT'), (4, 'Umbrella', 'UMBR');
INSERT INTO competency (id, competency_name) VALUES (1, 'Systems thinking'), (2, 'Modelling'), (3, 'Testing');
INSERT INTO role_cluster (id, role_cluster_name) VALUES (1, 'Engineer'), (2, 'Manager');
INSERT INTO app_user (id, organization_id, name, username) VALUES
    (1, 1, 'Alice A', 'alice'),
    (2, 2, 'Alice B', 'alice'),            -- planted: unique-violation app_user.username (2 rows)
    (3, 1, 'Dave', 'dave');
INSERT INTO users (id, username, email, password_hash, organization_id) VALUES
    (1, 'bob', 'bob@example.org', 'h', 1),
    (2, 'carol', 'carol@example.org', 'h', 2),
    (3, 'erin', 'erin@example.org', 'h', 1);
INSERT INTO mvp_users (id, username, email, password_hash, organization_id) VALUES
    (1, 'bob', 'bob2@example.org', 'h', '1'),          -- planted: merge-collision username
    (2, 'frank', 'carol@example.org', 'h', '2'),       -- planted: merge-collision email
    (3, 'gina', 'gina@example.org', 'h', '3'),
    (4, 'hank', 'hank@example.org', 'h', '77');        -- planted: orphaned-rows once merged into users
INSERT INTO assessments (id, user_id, organization_id, role_cluster_id) VALUES
    (1, 1, 1, 1),
    (2, 2, 2, 2),
    (3, 3, 2, NULL);                       -- planted: fk-inconsistent (erin belongs to org 1)
INSERT INTO competency_assessment_result (id, user_id, competency_id, score) VALUES
    (1, 1, 1, 3),
    (2, 2, 999, 2),                        -- planted: orphaned-rows (2 rows)
    (3, 3, 999, 1),
    (4, 1, 2, 4);
INSERT INTO maturity_assessments (id, organization_id, score) VALUES
    (1, '1', 3),
    (2, '04', 2),                          -- finds organization 4 once cast
    (3, '99', 1),                          -- planted: orphaned-rows (1 row)
    (4, 'abc', 5),                         -- planted: uncastable-values (1 row)
    (5, NULL, 0);
INSERT INTO learning_objectives (id, assessment_id, objective_text) VALUES
    (1, 1, 'Short objective'),
    (2, 1, repeat('x', 201)),              -- planted: value-too-long (3 rows)
    (3, 2, repeat('y', 250)),
    (4, 3, repeat('z', 1000)),
    (5, 3, repeat('w', 200));
INSERT INTO questionnaires (id, name, title) VALUES
    (1, 'intake', 'Intake'),
    (2, 'phase1', NULL),                   -- planted: not-null-violation (2 rows)
    (3, 'phase2', NULL);

SELECT setval(pg_get_serial_sequence(t, 'id'), 1000) FROM unnest(ARRAY[
    'organization', 'competency', 'role_cluster', 'app_user', 'users', 'mvp_users', 'assessments',
    'competency_assessment_result', 'maturity_assessments', 'learning_objectives', 'questionnaires'
]) AS t;
