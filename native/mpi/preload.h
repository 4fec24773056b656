// makeMpiSymbolsGlobal(): called once before MPI_Init (preload.cc says why).
#pragma once

namespace tgmpi {

void makeMpiSymbolsGlobal();

}  // namespace tgmpi
