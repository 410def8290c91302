package io.densenetflink.operators.internal;

import java.util.concurrent.ThreadFactory;
import java.util.function.Supplier;

/** The slot's threads are daemons (a lost slot never keeps a task manager's JVM alive), each named for its role. */
final class DaemonThreads {

    private DaemonThreads() {}

    /** Daemon threads, each named by {@code name} as it is made. */
    static ThreadFactory named(Supplier<String> name) {
        return r -> {
            Thread t = new Thread(r, name.get());
            t.setDaemon(true);
            return t;
        };
    }
}
