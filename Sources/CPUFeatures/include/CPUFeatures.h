// Which vector instructions this x86-64 processor and its operating system support, read with
// CPUID and XGETBV. Swift has no inline assembly, hence this small C target.
#ifndef WORKBOOK_CPU_FEATURES_H
#define WORKBOOK_CPU_FEATURES_H

/// 4 when the AVX-512 subset that `-target-cpu skylake-avx512` may emit is usable (AVX-512 F, CD,
/// BW, DQ, VL, with the OS saving the zmm state), 3 when the x86-64-v3 set that `-target-cpu
/// haswell` may emit is (AVX, AVX2, FMA, BMI1, BMI2, F16C, LZCNT, MOVBE, with the ymm state saved),
/// otherwise 0. Always 0 on other architectures.
int workbook_x86_vector_level(void);

#endif
