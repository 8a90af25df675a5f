-- Mail that would have been sent, when no SMTP server is configured (the
-- development outbox). Only operators may read it.
CREATE TABLE mail_outbox (
    id         TEXT   PRIMARY KEY,
    created_at BIGINT NOT NULL,
    recipient  TEXT   NOT NULL,
    subject    TEXT   NOT NULL,
    text_body  TEXT   NOT NULL,
    html_body  TEXT   NOT NULL
);

CREATE INDEX mail_outbox_created_idx ON mail_outbox (created_at);
