// The trainer keeps freed blocks for reuse (Trainer.keepFreedMemory): without it every ResNet batch
// faulted in fresh zeroed pages for its im2col columns, about a fifth of an epoch's CPU time.
import Testing
import WorkerPool

@Suite("the trainer's allocator settings")
struct AllocatorTests {
    @Test("glibc takes the settings (the first version compiled to a no-op: __GLIBC__ was not yet defined)")
    func settingsApplied() {
        #if os(Linux) && canImport(Glibc)
        #expect(workbook_keep_freed_memory() == 1, "mallopt refused M_MMAP_THRESHOLD 32 MiB or M_TRIM_THRESHOLD 1 GiB, or the call was compiled out")
        #else
        #expect(workbook_keep_freed_memory() == 0)
        #endif
    }
}
