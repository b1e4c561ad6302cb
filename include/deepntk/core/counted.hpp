#pragma once
// A count with its noun as messages print it: "1 rank", "4 ranks". One definition, so no
// message says "1 ranks" again.

#include <cstdint>
#include <string>
#include <string_view>

namespace deepntk {

/// "<count> <noun>", the noun with a plain "s" unless count is 1 (the nouns used, rank, depth,
/// layer step, take it).
inline std::string counted(std::int64_t count, std::string_view noun) {
  std::string text = std::to_string(count);
  text += ' ';
  text += noun;
  if (count != 1) text += 's';
  return text;
}

}  // namespace deepntk
