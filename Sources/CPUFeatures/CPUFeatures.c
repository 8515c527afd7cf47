#include "CPUFeatures.h"

#if defined(__x86_64__) || defined(_M_X64)
#include <cpuid.h>

static unsigned long long read_xcr0(void) {
    unsigned int eax, edx;
    __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    return ((unsigned long long)edx << 32) | eax;
}

int workbook_x86_vector_level(void) {
    unsigned int eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return 0;
    const unsigned int fma = 1u << 12, movbe = 1u << 22, osxsave = 1u << 27, avx = 1u << 28, f16c = 1u << 29;
    if ((ecx & (fma | movbe | osxsave | avx | f16c)) != (fma | movbe | osxsave | avx | f16c)) return 0;
    unsigned long long xcr0 = read_xcr0();
    if ((xcr0 & 0x6) != 0x6) return 0;  // the OS saves xmm and ymm registers
    unsigned int eax7, ebx7, ecx7, edx7;
    if (!__get_cpuid_count(7, 0, &eax7, &ebx7, &ecx7, &edx7)) return 0;
    const unsigned int bmi1 = 1u << 3, avx2 = 1u << 5, bmi2 = 1u << 8;
    if ((ebx7 & (bmi1 | avx2 | bmi2)) != (bmi1 | avx2 | bmi2)) return 0;
    unsigned int eax8, ebx8, ecx8, edx8;
    if (!__get_cpuid(0x80000001, &eax8, &ebx8, &ecx8, &edx8) || !(ecx8 & (1u << 5))) return 0;  // LZCNT
    const unsigned int f = 1u << 16, dq = 1u << 17, cd = 1u << 28, bw = 1u << 30, vl = 1u << 31;
    if ((ebx7 & (f | dq | cd | bw | vl)) == (f | dq | cd | bw | vl) && (xcr0 & 0xE0) == 0xE0) return 4;  // opmask, zmm0-15 upper halves, zmm16-31
    return 3;
}
#else
int workbook_x86_vector_level(void) { return 0; }
#endif
