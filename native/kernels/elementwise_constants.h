// Constants of the vector math (elementwise_math.cc and its AVX2 twin): range-reduction splits,
// the thresholds where float32 results overflow or underflow, and minimax polynomial
// coefficients fitted for tensorgrad (relative-error Lawson/Remez fits in high precision,
// rounded to float32). Constants only, no code: safe to include from the AVX2 units.
#pragma once

namespace tg {
namespace math {

// ln 2 = kLn2Hi + kLn2Lo; kLn2Hi has 9 significant bits, so n·kLn2Hi is exact for |n| < 2^15.
constexpr float kLn2Hi = 0.693359375f;
constexpr float kLn2Lo = -2.12194440e-4f;
constexpr float kLog2e = 1.44269504088896341f;

// exp(x) rounds to +Inf in float32 exactly for x > kExpOverflow (0x42b17217), and to 0 for
// x < kExpUnderflow (0xc2cff1b4): the thresholds of float64 exp rounded to float32.
constexpr float kExpOverflow = 88.72283172607422f;
constexpr float kExpUnderflow = -103.97207641601562f;

// exp(r) = 1 + r + r²·P(r) on |r| ≤ ln2/2, P of degree 4: fit error 3.1e-9 relative.
constexpr float kExpP0 = 0.4999999403953552f;
constexpr float kExpP1 = 0.1666652113199234f;
constexpr float kExpP2 = 0.04166838899254799f;
constexpr float kExpP3 = 0.008368710055947304f;
constexpr float kExpP4 = 0.001381461275741458f;

// log(1 + f) = f − f²/2 + f³·Q(f) on √½ − 1 ≤ f < √2 − 1, Q of degree 7: fit error 5.8e-9
// relative to log(1 + f).
constexpr float kSqrt2 = 1.41421356237309505f;
constexpr float kLogQ0 = 0.3333333134651184f;
constexpr float kLogQ1 = -0.2500081956386566f;
constexpr float kLogQ2 = 0.20001226663589478f;
constexpr float kLogQ3 = -0.16623356938362122f;
constexpr float kLogQ4 = 0.14201757311820984f;
constexpr float kLogQ5 = -0.13160184025764465f;
constexpr float kLogQ6 = 0.127615824341774f;
constexpr float kLogQ7 = -0.07634499669075012f;

// tanh(x) = x + x³·R(x²) for |x| < kTanhSmall, R of degree 4: fit error 4.4e-9 relative.
// Above it, tanh = 1 − 2/(exp(2|x|) + 1), whose float32 value is 1 beyond kTanhOne.
constexpr float kTanhSmall = 0.625f;
constexpr float kTanhOne = 9.5f;
constexpr float kTanhR0 = -0.3333328068256378f;
constexpr float kTanhR1 = 0.13331441581249237f;
constexpr float kTanhR2 = -0.05373971536755562f;
constexpr float kTanhR3 = 0.02063908614218235f;
constexpr float kTanhR4 = -0.005704985000193119f;

}  // namespace math
}  // namespace tg
