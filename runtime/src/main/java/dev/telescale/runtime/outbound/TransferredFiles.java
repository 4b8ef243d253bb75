package dev.telescale.runtime.outbound;

import java.util.Optional;

/**
 * Remembers which file_id a file got in each bot after {@link FileTransfers} uploaded it, keyed by
 * the file's file_unique_id, so a file is uploaded once per bot. Thread-safe.
 */
public interface TransferredFiles {
    Optional<String> find(long botId, String fileUniqueId);

    void remember(long botId, String fileUniqueId, String fileId);

    /** Keeps nothing: every transfer downloads and uploads again. */
    static TransferredFiles none() {
        return new TransferredFiles() {
            @Override
            public Optional<String> find(long botId, String fileUniqueId) {
                return Optional.empty();
            }

            @Override
            public void remember(long botId, String fileUniqueId, String fileId) {
            }
        };
    }
}
