"""vmotiond's database: models, data API and alembic migrations."""
