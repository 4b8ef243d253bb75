/**
 * Shared state that lets many Telescale instances run behind a load balancer with no instance
 * holding state another needs: leases (who polls a bot), token-bucket rate limits (the flood-safe
 * sender), pub/sub (cache invalidation, control messages) and the L2 cache tier.
 *
 * <p>{@link dev.telescale.runtime.state.SharedState} has three implementations:
 * {@link dev.telescale.runtime.state.InProcessState} for one machine,
 * {@link dev.telescale.runtime.state.RedisState} for many, and
 * {@link dev.telescale.runtime.state.DegradingState}, which keeps an instance working (with
 * weaker guarantees, documented there) while Redis is unreachable.
 * {@link dev.telescale.runtime.state.SqlLeases} offers leases over the SQL database for
 * deployments without Redis.
 */
@NullMarked
package dev.telescale.runtime.state;

import org.jspecify.annotations.NullMarked;
