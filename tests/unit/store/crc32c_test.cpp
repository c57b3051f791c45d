#include "kernel/store/crc32c.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace ukube::store {
namespace {

TEST(Crc32c, KnownVectors) {
  // Check values from RFC 3720 (iSCSI), appendix B.4.
  EXPECT_EQ(crc32c("123456789"), 0xE3069283u);
  EXPECT_EQ(crc32c(std::string(32, '\0')), 0x8A9136AAu);
  EXPECT_EQ(crc32c(std::string(32, '\xff')), 0x62A8AB43u);
  std::string ascending;
  for (int i = 0; i < 32; ++i) ascending.push_back(static_cast<char>(i));
  EXPECT_EQ(crc32c(ascending), 0x46DD794Eu);
  EXPECT_EQ(crc32c(""), 0u);
}

TEST(Crc32c, HardwareAndPortablePathsAgreeOnEveryLengthAndAlignment) {
  std::mt19937 rng(42);
  std::string data(4096 + 64, '\0');
  for (auto& c : data) c = static_cast<char>(rng());
  for (size_t offset = 0; offset < 9; ++offset) {
    for (size_t length : {0, 1, 7, 8, 9, 15, 16, 63, 64, 65, 1000, 4096}) {
      uint32_t portable = crc32c_extend_portable(0, data.data() + offset, length);
      EXPECT_EQ(crc32c(data.data() + offset, length), portable) << offset << "+" << length;
    }
  }
}

TEST(Crc32c, ExtendEqualsOneShot) {
  std::string a = "hello, ", b = "write-ahead log";
  EXPECT_EQ(crc32c_extend(crc32c(a), b.data(), b.size()), crc32c(a + b));
  EXPECT_EQ(crc32c_extend_portable(crc32c_extend_portable(0, a.data(), a.size()), b.data(), b.size()),
            crc32c(a + b));
}

TEST(Crc32c, ReportsWhetherHardwareIsUsed) {
  // Informational: either path must give the answers above.
  std::cout << "SSE4.2 CRC32 instructions " << (crc32c_hardware_available() ? "used" : "not available")
            << "\n";
}

}  // namespace
}  // namespace ukube::store
