// Fused optimizer updates on raw pointers, arguments already checked by native/exports/optim.cc:
// PyTorch's torch.optim formulas (lib/backend/contract/optim.ts documents each). The entry
// points take the hyper-parameters in double and compute the per-call scalars (bias
// corrections, step sizes) once in double; the loops run in float32 on float coefficients.
// Unused optional states are null. Declarations only (the AVX2 unit includes it).
#pragma once

#include <cstddef>
#include <cstdint>

#include "../platform.h"

namespace tg {

struct SgdOptions {
  double lr, momentum, dampening, weightDecay;
  bool nesterov;
  uint64_t step;
};
struct AdagradOptions {
  double lr, lrDecay, weightDecay, eps;
  uint64_t step;
};
struct RmspropOptions {
  double lr, alpha, eps, weightDecay, momentum;
  bool centered;
};
struct AdadeltaOptions {
  double lr, rho, eps, weightDecay;
};
struct AdamOptions {
  double lr, beta1, beta2, eps, weightDecay;
  bool decoupled, amsgrad, biasCorrection;
  uint64_t step;
};
struct AdamaxOptions {
  double lr, beta1, beta2, eps, weightDecay;
  uint64_t step;
};
struct NadamOptions {
  double lr, beta1, beta2, eps, weightDecay, momentumDecay, muProduct;
  uint64_t step;
};

void sgdStep(float* param, const float* grad, float* momentumBuffer, size_t n, const SgdOptions& o);
void adagradStep(float* param, const float* grad, float* stateSum, size_t n, const AdagradOptions& o);
void rmspropStep(float* param, const float* grad, float* squareAvg, float* gradAvg,
                 float* momentumBuffer, size_t n, const RmspropOptions& o);
void adadeltaStep(float* param, const float* grad, float* squareAvg, float* accDelta, size_t n,
                  const AdadeltaOptions& o);
void adamStep(float* param, const float* grad, float* expAvg, float* expAvgSq, float* maxExpAvgSq,
              size_t n, const AdamOptions& o);
void adamaxStep(float* param, const float* grad, float* expAvg, float* expInf, size_t n,
                const AdamaxOptions& o);
void nadamStep(float* param, const float* grad, float* expAvg, float* expAvgSq, size_t n,
               const NadamOptions& o);

// The float coefficients of one call. An exponential average a = β·a + (1 − β)·x is computed
// as a + (1 − β)·(x − a), one rounding at a's scale. Coefficients that multiply a whole value
// each step (the learning rate, a momentum factor) are split into a float and the float of
// the rest (hi + lo): their float rounding would otherwise bias every step the same way, and
// over a hundred steps the bias, not the rounding, would set the error.
struct Split {
  float hi, lo;
};
struct SgdCoefficients {
  Split lr, momentum;
  float gradScale, weightDecay;
  bool useMomentum, nesterov, first;
};
struct AdagradCoefficients {
  Split clr;
  float weightDecay, eps;
};
struct RmspropCoefficients {
  Split lr, momentum;
  float oneMinusAlpha, eps, weightDecay;
  bool useMomentum, centered;
};
struct AdadeltaCoefficients {
  Split lr;
  float oneMinusRho, eps, weightDecay;
};
struct AdamCoefficients {
  Split stepSize;
  float oneMinusBeta1, oneMinusBeta2, invSqrtBc2, eps, weightDecay, lrWeightDecay;
  bool amsgrad;
};
struct AdamaxCoefficients {
  Split clr, beta2;
  float oneMinusBeta1, eps, weightDecay;
};
struct NadamCoefficients {
  Split gradScale, avgScale;
  float oneMinusBeta1, oneMinusBeta2, invSqrtBc2, eps, weightDecay;
};

#define TG_OPTIM_LOOPS                                                                          \
  void sgd(float* p, const float* g, float* buf, size_t n, const SgdCoefficients& c);           \
  void adagrad(float* p, const float* g, float* sum, size_t n, const AdagradCoefficients& c);   \
  void rmsprop(float* p, const float* g, float* v, float* gAvg, float* buf, size_t n,           \
               const RmspropCoefficients& c);                                                   \
  void adadelta(float* p, const float* g, float* v, float* u, size_t n,                         \
                const AdadeltaCoefficients& c);                                                 \
  void adam(float* p, const float* g, float* m, float* v, float* vMax, size_t n,                \
            const AdamCoefficients& c);                                                         \
  void adamax(float* p, const float* g, float* m, float* u, size_t n, const AdamaxCoefficients& c); \
  void nadam(float* p, const float* g, float* m, float* v, size_t n, const NadamCoefficients& c);

// The loops, portable (also the AVX2 loops' tails) and AVX2/FMA.
namespace portable {
TG_OPTIM_LOOPS
}  // namespace portable
#ifdef TG_X86
namespace avx2 {
TG_OPTIM_LOOPS
}  // namespace avx2
#endif

#undef TG_OPTIM_LOOPS

}  // namespace tg
