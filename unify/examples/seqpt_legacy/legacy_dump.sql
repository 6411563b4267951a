--
-- PostgreSQL database dump
--

\restrict WuUltZmINYNR0nHAZccdZp1cqjBMf2qDM7OzluQeizC3m2eRdb1kF7Xn42ObXWd

-- Dumped from database version 15.20 (Debian 15.20-0+deb12u1)
-- Dumped by pg_dump version 15.20 (Debian 15.20-0+deb12u1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: app_user; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.app_user (
    id integer NOT NULL,
    organization_id integer,
    name character varying(100),
    username character varying(50) NOT NULL,
    tasks_responsibilities json
);


--
-- Name: app_user_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.app_user_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: app_user_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.app_user_id_seq OWNED BY public.app_user.id;


--
-- Name: assessments; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.assessments (
    id integer NOT NULL,
    user_id integer NOT NULL,
    organization_id integer,
    role_cluster_id integer,
    assessment_type character varying(50),
    status character varying(20),
    results json,
    completed_at timestamp without time zone,
    created_at timestamp without time zone,
    updated_at timestamp without time zone
);


--
-- Name: assessments_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.assessments_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: assessments_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.assessments_id_seq OWNED BY public.assessments.id;


--
-- Name: competency; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.competency (
    id integer NOT NULL,
    competency_name character varying(255) NOT NULL,
    competency_area character varying(50),
    description text,
    why_it_matters text,
    seqpt_category character varying(50)
);


--
-- Name: competency_assessment_result; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.competency_assessment_result (
    id integer NOT NULL,
    user_id integer NOT NULL,
    organization_id integer,
    competency_id integer NOT NULL,
    role_cluster_id integer,
    score integer NOT NULL,
    submitted_at timestamp without time zone
);


--
-- Name: competency_assessment_result_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.competency_assessment_result_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: competency_assessment_result_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.competency_assessment_result_id_seq OWNED BY public.competency_assessment_result.id;


--
-- Name: competency_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.competency_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: competency_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.competency_id_seq OWNED BY public.competency.id;


--
-- Name: learning_modules; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.learning_modules (
    id integer NOT NULL,
    module_code character varying(20) NOT NULL,
    name character varying(200) NOT NULL,
    competency_id integer,
    level integer,
    duration_hours double precision,
    delivery_format character varying(50),
    created_at timestamp without time zone,
    updated_at timestamp without time zone
);


--
-- Name: learning_modules_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.learning_modules_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: learning_modules_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.learning_modules_id_seq OWNED BY public.learning_modules.id;


--
-- Name: learning_objectives; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.learning_objectives (
    id integer NOT NULL,
    assessment_id integer NOT NULL,
    competency_id integer,
    text text NOT NULL,
    current_level integer NOT NULL,
    target_level integer NOT NULL,
    priority character varying(20),
    created_at timestamp without time zone NOT NULL
);


--
-- Name: learning_objectives_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.learning_objectives_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: learning_objectives_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.learning_objectives_id_seq OWNED BY public.learning_objectives.id;


--
-- Name: learning_plans; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.learning_plans (
    id character varying(36) NOT NULL,
    user_id character varying(36) NOT NULL,
    organization_id integer,
    objectives json,
    status character varying(20),
    created_at timestamp without time zone
);


--
-- Name: maturity_assessments; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.maturity_assessments (
    id character varying(36) NOT NULL,
    organization_id character varying(36),
    user_id character varying(36) NOT NULL,
    scope_score double precision,
    process_score double precision,
    overall_maturity double precision,
    answers json,
    created_at timestamp without time zone
);


--
-- Name: mvp_users; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.mvp_users (
    id character varying(36) NOT NULL,
    email character varying(120) NOT NULL,
    password_hash character varying(128),
    first_name character varying(100),
    last_name character varying(100),
    organization_id character varying(36),
    user_type character varying(20),
    created_at timestamp without time zone,
    last_login timestamp without time zone,
    username character varying(80)
);


--
-- Name: login_events; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.login_events (
    id integer NOT NULL,
    user_id character varying(36) NOT NULL,
    logged_in_at timestamp without time zone
);


--
-- Name: login_events_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.login_events_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: login_events_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.login_events_id_seq OWNED BY public.login_events.id;


--
-- Name: mvp_settings; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.mvp_settings (
    key character varying(64) NOT NULL,
    value text
);


--
-- Name: mvp_users_reject_email_case_duplicate(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.mvp_users_reject_email_case_duplicate() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM mvp_users WHERE lower(email) = lower(NEW.email) AND id <> NEW.id) THEN
        RAISE EXCEPTION 'e-mail % is taken', NEW.email;
    END IF;
    RETURN NEW;
END;
$$;


--
-- Name: mvp_admins; Type: VIEW; Schema: public; Owner: -
--

CREATE VIEW public.mvp_admins AS
 SELECT mvp_users.id,
    mvp_users.email,
    mvp_users.organization_id
   FROM public.mvp_users
  WHERE ((mvp_users.user_type)::text = 'admin'::text);


--
-- Name: organization; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.organization (
    id integer NOT NULL,
    organization_name character varying(255) NOT NULL,
    organization_public_key character varying(50),
    size character varying(20),
    maturity_score double precision
);


--
-- Name: organization_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.organization_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: organization_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.organization_id_seq OWNED BY public.organization.id;


--
-- Name: phase_questionnaire_responses; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.phase_questionnaire_responses (
    id integer NOT NULL,
    user_id integer NOT NULL,
    questionnaire_id integer NOT NULL,
    phase integer,
    responses json,
    submitted_at timestamp without time zone
);


--
-- Name: phase_questionnaire_responses_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.phase_questionnaire_responses_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: phase_questionnaire_responses_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.phase_questionnaire_responses_id_seq OWNED BY public.phase_questionnaire_responses.id;


--
-- Name: portal_users_v2; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.portal_users_v2 (
    id character varying(36) NOT NULL,
    email character varying(120) NOT NULL,
    password_hash character varying(255),
    organization_id integer
);


--
-- Name: qualification_plan_modules; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.qualification_plan_modules (
    plan_id integer NOT NULL,
    module_id integer NOT NULL
);


--
-- Name: qualification_plans; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.qualification_plans (
    id integer NOT NULL,
    user_id integer NOT NULL,
    name character varying(200),
    target_role character varying(100),
    status character varying(20),
    created_at timestamp without time zone,
    updated_at timestamp without time zone
);


--
-- Name: qualification_plans_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.qualification_plans_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: qualification_plans_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.qualification_plans_id_seq OWNED BY public.qualification_plans.id;


--
-- Name: questionnaires; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.questionnaires (
    id integer NOT NULL,
    name character varying(100) NOT NULL,
    title character varying(200),
    phase integer NOT NULL,
    questions json,
    is_active boolean,
    created_at timestamp without time zone,
    updated_at timestamp without time zone
);


--
-- Name: questionnaires_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.questionnaires_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: questionnaires_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.questionnaires_id_seq OWNED BY public.questionnaires.id;


--
-- Name: role_cluster; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.role_cluster (
    id integer NOT NULL,
    role_cluster_name character varying(255) NOT NULL,
    role_cluster_description text
);


--
-- Name: role_cluster_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.role_cluster_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: role_cluster_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.role_cluster_id_seq OWNED BY public.role_cluster.id;


--
-- Name: role_competency_matrix; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.role_competency_matrix (
    role_cluster_id integer NOT NULL,
    competency_id integer NOT NULL,
    role_competency_value integer
);


--
-- Name: users; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.users (
    id integer NOT NULL,
    username character varying(80),
    email character varying(120) NOT NULL,
    password_hash character varying(255),
    display_name character varying(200),
    role character varying(20),
    organization_id integer,
    is_active boolean,
    created_at timestamp without time zone,
    updated_at timestamp without time zone
);


--
-- Name: users_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.users_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: users_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.users_id_seq OWNED BY public.users.id;


--
-- Name: app_user id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.app_user ALTER COLUMN id SET DEFAULT nextval('public.app_user_id_seq'::regclass);


--
-- Name: assessments id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.assessments ALTER COLUMN id SET DEFAULT nextval('public.assessments_id_seq'::regclass);


--
-- Name: competency id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.competency ALTER COLUMN id SET DEFAULT nextval('public.competency_id_seq'::regclass);


--
-- Name: competency_assessment_result id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.competency_assessment_result ALTER COLUMN id SET DEFAULT nextval('public.competency_assessment_result_id_seq'::regclass);


--
-- Name: login_events id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.login_events ALTER COLUMN id SET DEFAULT nextval('public.login_events_id_seq'::regclass);


--
-- Name: learning_modules id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.learning_modules ALTER COLUMN id SET DEFAULT nextval('public.learning_modules_id_seq'::regclass);


--
-- Name: learning_objectives id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.learning_objectives ALTER COLUMN id SET DEFAULT nextval('public.learning_objectives_id_seq'::regclass);


--
-- Name: organization id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.organization ALTER COLUMN id SET DEFAULT nextval('public.organization_id_seq'::regclass);


--
-- Name: phase_questionnaire_responses id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.phase_questionnaire_responses ALTER COLUMN id SET DEFAULT nextval('public.phase_questionnaire_responses_id_seq'::regclass);


--
-- Name: qualification_plans id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.qualification_plans ALTER COLUMN id SET DEFAULT nextval('public.qualification_plans_id_seq'::regclass);


--
-- Name: questionnaires id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.questionnaires ALTER COLUMN id SET DEFAULT nextval('public.questionnaires_id_seq'::regclass);


--
-- Name: role_cluster id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.role_cluster ALTER COLUMN id SET DEFAULT nextval('public.role_cluster_id_seq'::regclass);


--
-- Name: users id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.users ALTER COLUMN id SET DEFAULT nextval('public.users_id_seq'::regclass);


--
-- Data for Name: app_user; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.app_user (id, organization_id, name, username, tasks_responsibilities) FROM stdin;
\.


--
-- Data for Name: assessments; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.assessments (id, user_id, organization_id, role_cluster_id, assessment_type, status, results, completed_at, created_at, updated_at) FROM stdin;
\.


--
-- Data for Name: competency; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.competency (id, competency_name, competency_area, description, why_it_matters, seqpt_category) FROM stdin;
\.


--
-- Data for Name: competency_assessment_result; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.competency_assessment_result (id, user_id, organization_id, competency_id, role_cluster_id, score, submitted_at) FROM stdin;
\.


--
-- Data for Name: learning_modules; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.learning_modules (id, module_code, name, competency_id, level, duration_hours, delivery_format, created_at, updated_at) FROM stdin;
\.


--
-- Data for Name: learning_objectives; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.learning_objectives (id, assessment_id, competency_id, text, current_level, target_level, priority, created_at) FROM stdin;
\.


--
-- Data for Name: learning_plans; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.learning_plans (id, user_id, organization_id, objectives, status, created_at) FROM stdin;
p1	3f2c9a7e-0d1b-4c55-9e0a-7b1d2c3e4f50	1	\N	\N	\N
p2	7	2	\N	\N	\N
\.


--
-- Data for Name: maturity_assessments; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.maturity_assessments (id, organization_id, user_id, scope_score, process_score, overall_maturity, answers, created_at) FROM stdin;
m1	2	7	\N	\N	\N	\N	\N
m2	04	8	\N	\N	\N	\N	\N
m3	99	3f2c9a7e-0d1b-4c55-9e0a-7b1d2c3e4f50	\N	\N	\N	\N	\N
m4	abc	a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d	\N	\N	\N	\N	\N
\.


--
-- Data for Name: mvp_users; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.mvp_users (id, email, password_hash, first_name, last_name, organization_id, user_type, created_at, last_login, username) FROM stdin;
7	frank@example.org	h	\N	\N	2	admin	\N	\N	frank
8	gina@example.org	h	\N	\N	04	\N	\N	\N	\N
3f2c9a7e-0d1b-4c55-9e0a-7b1d2c3e4f50	bob@example.org	h	\N	\N	1	\N	\N	\N	bob
a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d	hank@example.org	h	\N	\N	abc	\N	\N	\N	hank
9	ivan@example.org	h	\N	\N	55	\N	\N	\N	ivan
5b0e7c1d-2a3f-4e6b-8c9d-1f2e3d4c5b6a	erin.k@example.org	h	\N	\N	1	\N	\N	\N	Erin
\.


--
-- Data for Name: login_events; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.login_events (id, user_id, logged_in_at) FROM stdin;
1	7	2024-03-01 09:00:00
2	3f2c9a7e-0d1b-4c55-9e0a-7b1d2c3e4f50	2024-03-01 09:30:00
3	a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d	2024-03-02 10:00:00
4	0d6f1c2e-9b8a-4c7d-a6e5-f4d3c2b1a098	2024-03-02 11:00:00
5	12	2024-03-03 08:15:00
\.


--
-- Data for Name: mvp_settings; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.mvp_settings (key, value) FROM stdin;
signup_open	true
default_user_type	employee
maturity_scale	1-5
\.


--
-- Data for Name: organization; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.organization (id, organization_name, organization_public_key, size, maturity_score) FROM stdin;
1	Acme	ACME-1	\N	\N
2	Globex	GLBX-2	\N	\N
4	Umbrella	UMBR-4	\N	\N
\.


--
-- Data for Name: phase_questionnaire_responses; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.phase_questionnaire_responses (id, user_id, questionnaire_id, phase, responses, submitted_at) FROM stdin;
\.


--
-- Data for Name: portal_users_v2; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.portal_users_v2 (id, email, password_hash, organization_id) FROM stdin;
2d7e4b1a-6c3f-4e8d-9a5b-0c1d2e3f4a5b	ERIN@example.org	h	1
8f3a6c2d-1b4e-4d7a-b9c8-5e6f7a8b9c0d	Gina@Example.org	h	4
c4e1f9a2-7d3b-4a6c-8e5f-2b1a0d9c8e7f	quinn@portal.example	h	\N
\.


--
-- Data for Name: qualification_plan_modules; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.qualification_plan_modules (plan_id, module_id) FROM stdin;
\.


--
-- Data for Name: qualification_plans; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.qualification_plans (id, user_id, name, target_role, status, created_at, updated_at) FROM stdin;
\.


--
-- Data for Name: questionnaires; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.questionnaires (id, name, title, phase, questions, is_active, created_at, updated_at) FROM stdin;
\.


--
-- Data for Name: role_cluster; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.role_cluster (id, role_cluster_name, role_cluster_description) FROM stdin;
\.


--
-- Data for Name: role_competency_matrix; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.role_competency_matrix (role_cluster_id, competency_id, role_competency_value) FROM stdin;
\.


--
-- Data for Name: users; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.users (id, username, email, password_hash, display_name, role, organization_id, is_active, created_at, updated_at) FROM stdin;
1	bob	bob@example.org	h	\N	\N	1	\N	\N	\N
7	erin	erin@example.org	h	\N	\N	1	\N	\N	\N
\.


--
-- Name: app_user_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.app_user_id_seq', 1, false);


--
-- Name: assessments_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.assessments_id_seq', 1, false);


--
-- Name: competency_assessment_result_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.competency_assessment_result_id_seq', 1, false);


--
-- Name: competency_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.competency_id_seq', 1, false);


--
-- Name: learning_modules_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.learning_modules_id_seq', 1, false);


--
-- Name: login_events_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.login_events_id_seq', 5, true);


--
-- Name: learning_objectives_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.learning_objectives_id_seq', 1, false);


--
-- Name: organization_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.organization_id_seq', 4, true);


--
-- Name: phase_questionnaire_responses_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.phase_questionnaire_responses_id_seq', 1, false);


--
-- Name: qualification_plans_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.qualification_plans_id_seq', 1, false);


--
-- Name: questionnaires_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.questionnaires_id_seq', 1, false);


--
-- Name: role_cluster_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.role_cluster_id_seq', 1, false);


--
-- Name: users_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.users_id_seq', 7, true);


--
-- Name: app_user app_user_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.app_user
    ADD CONSTRAINT app_user_pkey PRIMARY KEY (id);


--
-- Name: app_user app_user_username_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.app_user
    ADD CONSTRAINT app_user_username_key UNIQUE (username);


--
-- Name: assessments assessments_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.assessments
    ADD CONSTRAINT assessments_pkey PRIMARY KEY (id);


--
-- Name: competency_assessment_result competency_assessment_result_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.competency_assessment_result
    ADD CONSTRAINT competency_assessment_result_pkey PRIMARY KEY (id);


--
-- Name: competency competency_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.competency
    ADD CONSTRAINT competency_pkey PRIMARY KEY (id);


--
-- Name: learning_modules learning_modules_module_code_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.learning_modules
    ADD CONSTRAINT learning_modules_module_code_key UNIQUE (module_code);


--
-- Name: learning_modules learning_modules_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.learning_modules
    ADD CONSTRAINT learning_modules_pkey PRIMARY KEY (id);


--
-- Name: learning_objectives learning_objectives_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.learning_objectives
    ADD CONSTRAINT learning_objectives_pkey PRIMARY KEY (id);


--
-- Name: learning_plans learning_plans_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.learning_plans
    ADD CONSTRAINT learning_plans_pkey PRIMARY KEY (id);


--
-- Name: maturity_assessments maturity_assessments_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.login_events
    ADD CONSTRAINT login_events_pkey PRIMARY KEY (id);


--
-- Name: maturity_assessments maturity_assessments_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.maturity_assessments
    ADD CONSTRAINT maturity_assessments_pkey PRIMARY KEY (id);


--
-- Name: mvp_settings mvp_settings_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.mvp_settings
    ADD CONSTRAINT mvp_settings_pkey PRIMARY KEY (key);


--
-- Name: mvp_users mvp_users_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.mvp_users
    ADD CONSTRAINT mvp_users_pkey PRIMARY KEY (id);


--
-- Name: organization organization_organization_public_key_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.organization
    ADD CONSTRAINT organization_organization_public_key_key UNIQUE (organization_public_key);


--
-- Name: organization organization_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.organization
    ADD CONSTRAINT organization_pkey PRIMARY KEY (id);


--
-- Name: phase_questionnaire_responses phase_questionnaire_responses_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.phase_questionnaire_responses
    ADD CONSTRAINT phase_questionnaire_responses_pkey PRIMARY KEY (id);


--
-- Name: portal_users_v2 portal_users_v2_email_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.portal_users_v2
    ADD CONSTRAINT portal_users_v2_email_key UNIQUE (email);


--
-- Name: portal_users_v2 portal_users_v2_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.portal_users_v2
    ADD CONSTRAINT portal_users_v2_pkey PRIMARY KEY (id);


--
-- Name: qualification_plan_modules qualification_plan_modules_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.qualification_plan_modules
    ADD CONSTRAINT qualification_plan_modules_pkey PRIMARY KEY (plan_id, module_id);


--
-- Name: qualification_plans qualification_plans_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.qualification_plans
    ADD CONSTRAINT qualification_plans_pkey PRIMARY KEY (id);


--
-- Name: questionnaires questionnaires_name_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.questionnaires
    ADD CONSTRAINT questionnaires_name_key UNIQUE (name);


--
-- Name: questionnaires questionnaires_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.questionnaires
    ADD CONSTRAINT questionnaires_pkey PRIMARY KEY (id);


--
-- Name: role_cluster role_cluster_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.role_cluster
    ADD CONSTRAINT role_cluster_pkey PRIMARY KEY (id);


--
-- Name: role_cluster role_cluster_role_cluster_name_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.role_cluster
    ADD CONSTRAINT role_cluster_role_cluster_name_key UNIQUE (role_cluster_name);


--
-- Name: role_competency_matrix role_competency_matrix_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.role_competency_matrix
    ADD CONSTRAINT role_competency_matrix_pkey PRIMARY KEY (role_cluster_id, competency_id);


--
-- Name: users users_email_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_email_key UNIQUE (email);


--
-- Name: users users_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_pkey PRIMARY KEY (id);


--
-- Name: ix_mvp_users_email; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX ix_mvp_users_email ON public.mvp_users USING btree (email);


--
-- Name: ix_users_username; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX ix_users_username ON public.users USING btree (username);


--
-- Name: mvp_users mvp_users_reject_email_case_duplicate; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER mvp_users_reject_email_case_duplicate BEFORE INSERT OR UPDATE ON public.mvp_users FOR EACH ROW EXECUTE FUNCTION public.mvp_users_reject_email_case_duplicate();


--
-- Name: app_user app_user_organization_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.app_user
    ADD CONSTRAINT app_user_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES public.organization(id);


--
-- Name: assessments assessments_organization_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.assessments
    ADD CONSTRAINT assessments_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES public.organization(id);


--
-- Name: assessments assessments_role_cluster_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.assessments
    ADD CONSTRAINT assessments_role_cluster_id_fkey FOREIGN KEY (role_cluster_id) REFERENCES public.role_cluster(id);


--
-- Name: assessments assessments_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.assessments
    ADD CONSTRAINT assessments_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id);


--
-- Name: competency_assessment_result competency_assessment_result_competency_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.competency_assessment_result
    ADD CONSTRAINT competency_assessment_result_competency_id_fkey FOREIGN KEY (competency_id) REFERENCES public.competency(id);


--
-- Name: competency_assessment_result competency_assessment_result_organization_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.competency_assessment_result
    ADD CONSTRAINT competency_assessment_result_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES public.organization(id);


--
-- Name: competency_assessment_result competency_assessment_result_role_cluster_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.competency_assessment_result
    ADD CONSTRAINT competency_assessment_result_role_cluster_id_fkey FOREIGN KEY (role_cluster_id) REFERENCES public.role_cluster(id);


--
-- Name: competency_assessment_result competency_assessment_result_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.competency_assessment_result
    ADD CONSTRAINT competency_assessment_result_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.app_user(id);


--
-- Name: learning_modules learning_modules_competency_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.learning_modules
    ADD CONSTRAINT learning_modules_competency_id_fkey FOREIGN KEY (competency_id) REFERENCES public.competency(id);


--
-- Name: learning_objectives learning_objectives_assessment_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.learning_objectives
    ADD CONSTRAINT learning_objectives_assessment_id_fkey FOREIGN KEY (assessment_id) REFERENCES public.assessments(id);


--
-- Name: learning_objectives learning_objectives_competency_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.learning_objectives
    ADD CONSTRAINT learning_objectives_competency_id_fkey FOREIGN KEY (competency_id) REFERENCES public.competency(id);


--
-- Name: learning_plans learning_plans_organization_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.learning_plans
    ADD CONSTRAINT learning_plans_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES public.organization(id);


--
-- Name: learning_plans learning_plans_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.learning_plans
    ADD CONSTRAINT learning_plans_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.mvp_users(id);


--
-- Name: maturity_assessments maturity_assessments_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.maturity_assessments
    ADD CONSTRAINT maturity_assessments_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.mvp_users(id);


--
-- Name: phase_questionnaire_responses phase_questionnaire_responses_questionnaire_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.phase_questionnaire_responses
    ADD CONSTRAINT phase_questionnaire_responses_questionnaire_id_fkey FOREIGN KEY (questionnaire_id) REFERENCES public.questionnaires(id);


--
-- Name: phase_questionnaire_responses phase_questionnaire_responses_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.phase_questionnaire_responses
    ADD CONSTRAINT phase_questionnaire_responses_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id);


--
-- Name: portal_users_v2 portal_users_v2_organization_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.portal_users_v2
    ADD CONSTRAINT portal_users_v2_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES public.organization(id);


--
-- Name: qualification_plan_modules qualification_plan_modules_module_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.qualification_plan_modules
    ADD CONSTRAINT qualification_plan_modules_module_id_fkey FOREIGN KEY (module_id) REFERENCES public.learning_modules(id);


--
-- Name: qualification_plan_modules qualification_plan_modules_plan_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.qualification_plan_modules
    ADD CONSTRAINT qualification_plan_modules_plan_id_fkey FOREIGN KEY (plan_id) REFERENCES public.qualification_plans(id);


--
-- Name: qualification_plans qualification_plans_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.qualification_plans
    ADD CONSTRAINT qualification_plans_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;


--
-- Name: role_competency_matrix role_competency_matrix_competency_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.role_competency_matrix
    ADD CONSTRAINT role_competency_matrix_competency_id_fkey FOREIGN KEY (competency_id) REFERENCES public.competency(id);


--
-- Name: role_competency_matrix role_competency_matrix_role_cluster_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.role_competency_matrix
    ADD CONSTRAINT role_competency_matrix_role_cluster_id_fkey FOREIGN KEY (role_cluster_id) REFERENCES public.role_cluster(id);


--
-- Name: users users_organization_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES public.organization(id);


--
-- PostgreSQL database dump complete
--

\unrestrict WuUltZmINYNR0nHAZccdZp1cqjBMf2qDM7OzluQeizC3m2eRdb1kF7Xn42ObXWd

