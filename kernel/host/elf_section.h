#pragma once

#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace ukube::host {

class ElfError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Reads the bytes of one named section from an ELF64 file by parsing its headers, so a
// plugin's ABI stamp can be checked without running any of the plugin's code (dlopen
// would run its static initialisers). Returns nullopt when the file has no such section;
// throws ElfError when the file is not a well-formed ELF64 object or the section is
// larger than `max_size`.
std::optional<std::string> read_elf_section(const std::filesystem::path& file, std::string_view section_name,
                                            std::size_t max_size = 64 * 1024);

}  // namespace ukube::host
