"""Alembic environment for the SE-QPT schema (run `alembic upgrade head` from the backend root)."""
from logging.config import fileConfig

from alembic import context
from sqlalchemy import engine_from_config, pool

from models import db
import unified_models  # noqa: F401  registers Derik's tables
import mvp_models  # noqa: F401  registers the MVP tables

config = context.config
if config.config_file_name is not None:
    fileConfig(config.config_file_name)

target_metadata = db.metadata


def run_migrations_offline():
    context.configure(url=config.get_main_option('sqlalchemy.url'),
                      target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    connectable = engine_from_config(config.get_section(config.config_ini_section, {}),
                                     prefix='sqlalchemy.', poolclass=pool.NullPool)
    with connectable.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
