-- An application's own migration, applied by DatabaseTest through Database.migrate(extraLocations).
CREATE TABLE storage_test_extra (id BIGINT PRIMARY KEY, note TEXT NOT NULL);
