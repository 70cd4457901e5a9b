package io.switchyard.bench.e2e;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * Anonymous memory for the generator's pre-sealed packets, asked to be backed by transparent huge
 * pages ({@code madvise(MADV_HUGEPAGE)} before the first touch). Streaming a gigabyte of packets
 * through 4 KiB pages costs a TLB miss (on this VM, a page walk the hypervisor helps with) every
 * three 1,420-byte packets; that cost lands on the generator, which shares the cores with the hub.
 * Where THP is off the advice is ignored and the memory is ordinary pages. Unmapped when the arena
 * closes.
 */
final class HugeMemory {
    private static final long HUGE = 2L << 20;
    private static final int PROT_READ_WRITE = 0x1 | 0x2;
    private static final int MAP_PRIVATE_ANONYMOUS = 0x02 | 0x20;
    private static final int MADV_HUGEPAGE = 14;
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle MMAP = LINKER.downcallHandle(LINKER.defaultLookup().find("mmap").orElseThrow(),
            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle MADVISE = LINKER.downcallHandle(LINKER.defaultLookup().find("madvise").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle MUNMAP = LINKER.downcallHandle(LINKER.defaultLookup().find("munmap").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));

    private HugeMemory() {}

    /** {@code bytes} of zeroed memory (rounded up to 2 MiB) that lives as long as {@code arena}. */
    static MemorySegment allocate(Arena arena, long bytes) {
        long length = (bytes + HUGE - 1) & -HUGE;
        MemorySegment at;
        try {
            at = (MemorySegment) MMAP.invokeExact(MemorySegment.NULL, length, PROT_READ_WRITE, MAP_PRIVATE_ANONYMOUS, -1, 0L);
            if (at.address() != -1L) {
                int ignored = (int) MADVISE.invokeExact(at, length, MADV_HUGEPAGE); // advice only
            }
        } catch (Throwable e) {
            throw new IllegalStateException("mmap/madvise", e);
        }
        if (at.address() == -1L) {
            throw new OutOfMemoryError("mmap of " + length + " bytes for pre-sealed packets failed");
        }
        long address = at.address();
        return at.reinterpret(length, arena, s -> unmap(address, length));
    }

    private static void unmap(long address, long length) {
        try {
            int ignored = (int) MUNMAP.invokeExact(MemorySegment.ofAddress(address), length);
        } catch (Throwable e) {
            throw new IllegalStateException("munmap", e);
        }
    }
}
