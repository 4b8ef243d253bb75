/**
 * The user cache: Telegram users in process (L1), in the shared cache (L2) and in the database
 * (L3), kept current from the senders of incoming updates. See {@link dev.telescale.runtime.users.UserCache}.
 */
@NullMarked
package dev.telescale.runtime.users;

import org.jspecify.annotations.NullMarked;
