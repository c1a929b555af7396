package io.tenantgate.governor;

import java.util.HashMap;
import java.util.Map;

/**
 * The permits of one server's budget: one per connection connecting, open or closing (plus its
 * release grace), per probe connect, and per connection a migration opens itself.
 *
 * <p><b>Rule.</b> A permit is taken before its connection starts and comes back exactly once, by
 * one path ({@link #giveBack}): a connection's after its close was observed (unless it passes
 * straight to the tenant it was reserved for), a probe's after its close, a migration's when it
 * says so, and never more than it holds. Permits of connections closing because the share shrank
 * ({@link #shed}) are not counted again as excess.
 *
 * <p>Holds no lock and does no I/O: {@link ServerBudget} calls it under its own lock.
 */
final class ServerPermits {

    private int permits;
    /** Of {@link #permits}: connections closing because the share shrank below what was held. */
    private int shed;
    private final Map<String, Integer> heldBy = new HashMap<>();

    /** Permits held: connects in progress, open and closing connections, their grace, migrations. */
    int held() {
        return permits;
    }

    /** Whether one more may be taken under {@code cap}. */
    boolean below(int cap) {
        return permits < cap;
    }

    /** Permits held over {@code cap}, not counting those already being shed. */
    int excessOver(int cap) {
        return permits - shed - cap;
    }

    void take() {
        permits++;
    }

    /** A permit for a connection {@code holder} opens itself (a migration's JDBC connection). */
    void takeFor(String holder) {
        permits++;
        heldBy.merge(holder, 1, Integer::sum);
    }

    int heldBy(String holder) {
        return heldBy.getOrDefault(holder, 0);
    }

    /** Permits held by migrations, all holders together. */
    int heldByHolders() {
        int sum = 0;
        for (int held : heldBy.values()) {
            sum += held;
        }
        return sum;
    }

    /** The link is closing because the share shrank: its permit goes back, to no heir. */
    void shed(Link link) {
        link.shed = true;
        shed++;
    }

    /**
     * The link's close was observed (and its grace passed): its permit is free, to pass on or to
     * give back. Refuses a second time: a permit is given back exactly once.
     */
    void settle(Link link) {
        if (link.permitSettled) {
            throw new IllegalStateException(link + " gave its permit back twice");
        }
        link.permitSettled = true;
        if (link.shed) {
            shed--;
        }
    }

    /** Whether a settled permit may pass to an heir's connect under {@code cap}. */
    boolean passes(int cap) {
        return permits - shed <= cap;
    }

    /** Gives back what {@code holder} took with {@link #takeFor}; refuses more than it holds, changing nothing. */
    void giveBack(String holder, int count, String server) {
        int held = heldBy(holder);
        if (count < 0 || count > held || count > permits) {
            throw new IllegalStateException(holder + " gave back " + count + " permits of " + server + " but holds "
                    + held);
        }
        if (held == count) {
            heldBy.remove(holder);
        } else {
            heldBy.put(holder, held - count);
        }
        giveBack(count);
    }

    /** The one way permits come back. */
    void giveBack(int count) {
        if (count > permits) {
            throw new IllegalStateException("giving back " + count + " permits of " + permits + " held");
        }
        permits -= count;
    }
}
