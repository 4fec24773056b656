// Makes the MPI library's symbols global before MPI_Init. Node loads addons with RTLD_LOCAL, so
// the plug-ins Open MPI dlopens at MPI_Init (transports, collectives) could not see the symbols
// of the libmpi this addon pulled in; mpi4py reloads the library with RTLD_GLOBAL for the same
// reason. dladdr names the file that holds MPI_Init, whatever its name on this system.
#include "preload.h"

#include <mpi.h>

#if defined(__linux__) || defined(__APPLE__)
#include <dlfcn.h>
#endif

namespace tgmpi {

void makeMpiSymbolsGlobal() {
#if defined(__linux__) || defined(__APPLE__)
  Dl_info info;
  if (dladdr(reinterpret_cast<void*>(&MPI_Init_thread), &info) != 0 && info.dli_fname != nullptr) {
    // RTLD_NOLOAD: only promotes the library already loaded; the handle is kept for good.
    dlopen(info.dli_fname, RTLD_NOW | RTLD_GLOBAL | RTLD_NOLOAD);
  }
#endif
}

}  // namespace tgmpi
