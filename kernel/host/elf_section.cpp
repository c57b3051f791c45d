#include "kernel/host/elf_section.h"

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>

namespace ukube::host {
namespace {

// Offsets and constants from the System V gABI, ELF64 layout.
constexpr std::size_t kHeaderSize = 64;
constexpr std::size_t kSectionHeaderSize = 64;
constexpr uint8_t kClass64 = 2;
constexpr uint8_t kDataLittle = 1;
constexpr uint8_t kDataBig = 2;
constexpr uint32_t kSectionNoBits = 8;
constexpr uint16_t kSectionIndexEscape = 0xffff;  // SHN_XINDEX: real index lives in section 0
// Section name tables are small; the cap keeps a corrupt header from making us read gigabytes.
constexpr uint64_t kMaxNameTable = 16 * 1024 * 1024;

class Reader {
 public:
  explicit Reader(const std::filesystem::path& file) : path_(file), in_(file, std::ios::binary) {
    if (!in_) throw ElfError(path_.string() + ": cannot open: " + std::strerror(errno));
    in_.seekg(0, std::ios::end);
    size_ = static_cast<uint64_t>(in_.tellg());
  }

  std::string read(uint64_t offset, uint64_t length, const char* what) {
    if (offset > size_ || length > size_ - offset)
      throw ElfError(path_.string() + ": truncated ELF file (" + what + " lies beyond the end of the file)");
    std::string bytes(length, '\0');
    in_.seekg(static_cast<std::streamoff>(offset));
    in_.read(bytes.data(), static_cast<std::streamsize>(length));
    if (!in_) throw ElfError(path_.string() + ": read error while reading " + what);
    return bytes;
  }

  uint64_t size() const { return size_; }

  [[noreturn]] void fail(const std::string& why) const { throw ElfError(path_.string() + ": " + why); }

 private:
  std::filesystem::path path_;
  std::ifstream in_;
  uint64_t size_ = 0;
};

// Decodes unsigned integers in the file's byte order, whatever the host's.
class Decoder {
 public:
  explicit Decoder(bool little) : little_(little) {}
  uint64_t get(std::string_view bytes, std::size_t offset, std::size_t width) const {
    uint64_t value = 0;
    for (std::size_t i = 0; i < width; ++i) {
      auto byte = static_cast<uint8_t>(bytes[offset + (little_ ? width - 1 - i : i)]);
      value = (value << 8) | byte;
    }
    return value;
  }

 private:
  bool little_;
};

struct SectionHeader {
  uint32_t name = 0;
  uint32_t type = 0;
  uint64_t offset = 0;
  uint64_t size = 0;
  uint32_t link = 0;
};

SectionHeader decode_section(const Decoder& d, std::string_view raw) {
  return {static_cast<uint32_t>(d.get(raw, 0, 4)), static_cast<uint32_t>(d.get(raw, 4, 4)), d.get(raw, 24, 8),
          d.get(raw, 32, 8), static_cast<uint32_t>(d.get(raw, 40, 4))};
}

}  // namespace

std::optional<std::string> read_elf_section(const std::filesystem::path& file, std::string_view section_name,
                                            std::size_t max_size) {
  Reader reader(file);
  // The magic comes first so that a short text file is "not ELF" rather than "truncated".
  if (reader.size() < 4 || reader.read(0, 4, "the ELF magic") !=
                               "\x7f"
                               "ELF")
    reader.fail("not an ELF file");
  std::string header = reader.read(0, kHeaderSize, "the ELF header");
  if (static_cast<uint8_t>(header[4]) != kClass64) reader.fail("not a 64-bit ELF file");
  auto data = static_cast<uint8_t>(header[5]);
  if (data != kDataLittle && data != kDataBig) reader.fail("unknown ELF byte order");
  Decoder d(data == kDataLittle);

  uint64_t table_offset = d.get(header, 0x28, 8);
  uint64_t entry_size = d.get(header, 0x3a, 2);
  uint64_t count = d.get(header, 0x3c, 2);
  uint64_t names_index = d.get(header, 0x3e, 2);
  if (table_offset == 0) return std::nullopt;  // no section headers at all (stripped to the bone)
  if (entry_size < kSectionHeaderSize) reader.fail("section header entries are too small");

  // Objects with 65280+ sections keep the real count and name-table index in section 0.
  if (count == 0 || names_index == kSectionIndexEscape) {
    SectionHeader first =
        decode_section(d, reader.read(table_offset, kSectionHeaderSize, "section header 0"));
    if (count == 0) count = first.size;
    if (names_index == kSectionIndexEscape) names_index = first.link;
  }
  if (names_index >= count) reader.fail("section name table index is out of range");
  if (count > (uint64_t{1} << 24)) reader.fail("implausible section count");

  std::string table = reader.read(table_offset, count * entry_size, "the section header table");
  auto section = [&](uint64_t i) {
    return decode_section(d, std::string_view(table).substr(i * entry_size));
  };

  SectionHeader names = section(names_index);
  if (names.size > kMaxNameTable) reader.fail("section name table is implausibly large");
  std::string name_table = reader.read(names.offset, names.size, "the section name table");

  for (uint64_t i = 0; i < count; ++i) {
    SectionHeader s = section(i);
    if (s.name >= name_table.size()) continue;
    std::string_view name(name_table.c_str() + s.name);
    if (name != section_name) continue;
    if (s.type == kSectionNoBits) return std::string();
    if (s.size > max_size)
      reader.fail("section " + std::string(section_name) + " is " + std::to_string(s.size) +
                  " bytes, more than the " + std::to_string(max_size) + " allowed");
    return reader.read(s.offset, s.size, "a section's contents");
  }
  return std::nullopt;
}

}  // namespace ukube::host
