#include "registry.h"

#include <map>

namespace tg {

namespace {

// Filled by the static registrations of every translation unit as the addon loads; read after.
std::map<std::string, Entry>& registry() {
  static std::map<std::string, Entry> entries;
  return entries;
}

}  // namespace

bool registerEntry(const char* name, const char* dtype, Entry entry) {
  registry()[std::string(name) + ":" + dtype] = entry;
  return true;
}

Entry findEntry(const std::string& key) {
  const auto found = registry().find(key);
  return found == registry().end() ? nullptr : found->second;
}

std::vector<std::string> entryNames() {
  std::vector<std::string> names;
  for (const auto& [key, entry] : registry()) names.push_back(key);
  return names;
}

void Call::rangeError(const std::string& message) const {
  throw KernelRangeError(std::string(kernel_) + ": " + message);
}

void Call::misread(size_t i, const char* how) const {
  throw std::logic_error(std::string(kernel_) + ": its C++ entry reads argument " + std::to_string(i) +
                         " in a way its declaration does not allow (" + how + ")");
}

}  // namespace tg
