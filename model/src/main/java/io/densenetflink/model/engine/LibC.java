package io.densenetflink.model.engine;

import com.sun.jna.Library;
import com.sun.jna.Native;

/** The few C library calls the engine set-up needs (Java can neither change its environment nor ask the kernel). */
interface LibC extends Library {

    LibC INSTANCE = Native.load("c", LibC.class);

    int setenv(String name, String value, int overwrite);

    String getenv(String name);

    /** {@code syscall(2)} with two arguments (glibc's wrapper passes them on in registers). */
    long syscall(long number, long first, long second);

    /** Flushes the C library's buffered streams ({@code null}: all of them). */
    int fflush(com.sun.jna.Pointer stream);

    /** errno of the calling thread's last failed call. */
    static int errno() {
        return Native.getLastError();
    }
}
