// Compile-time facts about the target, with no code: safe to include from the AVX2 units.
#pragma once

#if defined(__x86_64__) || defined(_M_X64) || defined(__i386__) || defined(_M_IX86)
#define TG_X86 1
#endif
