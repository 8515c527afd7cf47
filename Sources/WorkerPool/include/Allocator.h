// The C allocator's settings the trainer changes (glibc's mallopt has no Swift overlay).
#ifndef WORKBOOK_ALLOCATOR_H
#define WORKBOOK_ALLOCATOR_H

/// Keeps freed blocks of up to 32 MiB on the heap for reuse instead of returning them to the kernel
/// (glibc: M_MMAP_THRESHOLD 32 MiB, M_TRIM_THRESHOLD 1 GiB). Returns 1 if applied, 0 where the C
/// library has no such settings (not glibc).
int workbook_keep_freed_memory(void);

#endif
