-- V10 (Alembic 0010_user_profile_fields): profile claims mirrored from the visitor's token.
ALTER TABLE users
    ADD COLUMN full_name          text,
    ADD COLUMN location           text,
    ADD COLUMN profile_photo_url  text,
    ADD COLUMN joined_date        timestamptz,
    ADD COLUMN access_permissions text,
    ADD COLUMN stripe_customer_id text;
