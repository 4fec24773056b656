// Flushing subnormal floats to zero inside the native kernels, as torch.set_flush_denormal does
// for PyTorch: off by default (the kernels keep IEEE semantics, like the reference backend).
// Subnormals cost some CPUs a microcode assist per operation: Adam's moments of weights whose
// gradient is mostly zero decay into them and stay (0.9 times the smallest subnormal rounds back
// to it), which made the bench MLP's Adam 1.5x slower. The mode is set in MXCSR (FTZ and DAZ)
// only for the duration of a kernel call, on the caller and on the pool's workers: JavaScript's
// own arithmetic on the same thread never sees it.
#pragma once

namespace tg {

// Whether kernels called from now on flush subnormals (one setting for the process).
bool flushDenormals();
void setFlushDenormals(bool on);

// Sets FTZ and DAZ on this thread for its lifetime when `on`, then restores MXCSR. A no-op when
// off, or off x86.
class DenormalScope {
 public:
  explicit DenormalScope(bool on);
  ~DenormalScope();
  DenormalScope(const DenormalScope&) = delete;
  DenormalScope& operator=(const DenormalScope&) = delete;

 private:
  unsigned saved_;
  bool set_;
};

}  // namespace tg
