-- What a user allowed a client: remembered, so consent is asked once.
CREATE TABLE consents (
    user_id    TEXT   NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    client_id  TEXT   NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    scopes     TEXT   NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, client_id)
);
