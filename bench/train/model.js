// The MLP bench:train times, built with a given tensorgrad (bench/backend-ab.js builds it with two):
// 784-256-128-10 with ReLU fused into the Linear layers' GEMM pass (what the tensorgrad command
// builds), or with BatchNorm and Dropout(0.5) after the hidden layers ('bn-dropout').
'use strict';

function model(tg, variant) {
  const { nn } = tg;
  if (variant === 'bn-dropout') {
    return new nn.Sequential(
      new nn.Linear(784, 256), new nn.BatchNorm1d(256), new nn.ReLU(), new nn.Dropout(0.5),
      new nn.Linear(256, 128), new nn.BatchNorm1d(128), new nn.ReLU(), new nn.Dropout(0.5),
      new nn.Linear(128, 10),
    );
  }
  return new nn.Sequential(
    new nn.Linear(784, 256, { activation: 'relu' }), new nn.Linear(256, 128, { activation: 'relu' }), new nn.Linear(128, 10),
  );
}

module.exports = { model };
