package io.tenantgate.control.admin;

import io.tenantgate.governor.TenantPools;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Arrays;

/**
 * An admin action every replica performs on its own pools, and what it did as the JSON it
 * acknowledges with in the registry. The name is what {@code admin_action.action} stores, so a
 * replica reading one it does not know (a newer version's, during a rolling upgrade) leaves it
 * unacknowledged rather than guessing.
 */
enum AdminAction {

    /** Drain and close one tenant's pool: {@code {"evicted": true|false}}. */
    EVICT("evict") {
        @Override
        JsonObject perform(TenantPools pools, String tenant) {
            return new JsonObject().put("evicted", pools.evict(tenant));
        }
    },
    /** Drain and close every pool with no work: {@code {"evicted": ["tenant", ...]}}. */
    EVICT_IDLE("evict-idle") {
        @Override
        JsonObject perform(TenantPools pools, String tenant) {
            return new JsonObject().put("evicted", new JsonArray(pools.evictIdle()));
        }
    },
    /**
     * Report every live pool: {@code {"pools": [PoolView, ...]}}. A view, not a change: the
     * issuer deletes it once answered, so nobody reports it late and its results are not stored.
     */
    LIST_POOLS("list-pools", false) {
        @Override
        JsonObject perform(TenantPools pools, String tenant) {
            JsonArray views = new JsonArray();
            AdminPoolsResource.PoolView.of(pools).forEach(view -> views.add(JsonObject.mapFrom(view)));
            return new JsonObject().put("pools", views);
        }
    };

    final String stored;
    /** Kept in the registry after the answer, so a replica that missed it acts when it comes back. */
    final boolean kept;

    AdminAction(String stored) {
        this(stored, true);
    }

    AdminAction(String stored, boolean kept) {
        this.stored = stored;
        this.kept = kept;
    }

    abstract JsonObject perform(TenantPools pools, String tenant);

    /** The action stored under this name, or {@code null} if this version does not know it. */
    static AdminAction of(String stored) {
        return Arrays.stream(values()).filter(a -> a.stored.equals(stored)).findFirst().orElse(null);
    }
}
