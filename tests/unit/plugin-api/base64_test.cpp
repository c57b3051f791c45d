#include "ukube/base64.h"

#include <gtest/gtest.h>

namespace ukube {
namespace {

TEST(Base64, EncodesWithTheStandardAlphabetAndPadding) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("hunter2"), "aHVudGVyMg==");
  EXPECT_EQ(base64_encode("\xfb\xff"), "+/8=");
}

TEST(Base64, EncodesJwtPartsWithTheUrlAlphabetUnpadded) {
  EXPECT_EQ(base64_encode("\xfb\xff", Base64::Url), "-_8");
  EXPECT_EQ(base64_encode(R"({"alg":"ES256"})", Base64::Url), "eyJhbGciOiJFUzI1NiJ9");
}

TEST(Base64, DecodesEitherAlphabetAndRefusesGarbage) {
  EXPECT_EQ(base64_decode("aHVudGVyMg=="), "hunter2");
  EXPECT_EQ(base64_decode("aHVudGVyMg"), "hunter2");
  EXPECT_EQ(base64_decode("-_8"), "\xfb\xff");
  EXPECT_EQ(base64_decode("+/8="), "\xfb\xff");
  EXPECT_EQ(base64_decode(""), "");
  EXPECT_FALSE(base64_decode("a*bc"));
  EXPECT_FALSE(base64_decode("abcde"));  // no encoder leaves one character over
  EXPECT_FALSE(base64_decode("ab=c"));
  for (std::string s : {"", "x", "xy", "xyz", "any \x01\x02\xff binary"})
    EXPECT_EQ(base64_decode(base64_encode(s)), s);
}

}  // namespace
}  // namespace ukube
