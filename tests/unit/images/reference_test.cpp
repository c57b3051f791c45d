// Image references normalised as docker and the CRI runtimes do.
#include <gtest/gtest.h>

#include "ukube/images/reference.h"

namespace ukube::images {
namespace {

std::string full(const char* text) {
  return parse_reference(text).full();
}

TEST(ImageReference, DockerHubAndItsLibraryAreTheDefaults) {
  EXPECT_EQ(full("busybox"), "docker.io/library/busybox:latest");
  EXPECT_EQ(full("busybox:1.35"), "docker.io/library/busybox:1.35");
  EXPECT_EQ(full("team/app:v2"), "docker.io/team/app:v2");
  EXPECT_EQ(full("docker.io/library/busybox:1.35"), "docker.io/library/busybox:1.35");
  EXPECT_EQ(parse_reference("busybox:1.35").familiar(), "busybox:1.35");
  EXPECT_EQ(parse_reference("team/app").familiar(), "team/app:latest");
}

TEST(ImageReference, RegistriesPortsAndDigests) {
  const std::string digest = "sha256:" + std::string(64, 'a');
  EXPECT_EQ(full("registry.local:5000/app"), "registry.local:5000/app:latest");
  EXPECT_EQ(full("localhost/app:1"), "localhost/app:1");
  EXPECT_EQ(full(("app@" + digest).c_str()), "docker.io/library/app@" + digest);
  auto ref = parse_reference("127.0.0.1:5000/team/app:1@" + digest);
  EXPECT_EQ(ref.domain, "127.0.0.1:5000");
  EXPECT_EQ(ref.path, "team/app");
  EXPECT_EQ(ref.tag, "1");
  EXPECT_EQ(ref.digest, digest);
  EXPECT_EQ(ref.familiar(), "127.0.0.1:5000/team/app:1@" + digest);
}

TEST(ImageReference, BadReferencesSayWhatIsWrong) {
  try {
    parse_reference("BusyBox");
    ADD_FAILURE() << "accepted";
  } catch (const ReferenceError& e) {
    EXPECT_STREQ(e.what(), "invalid reference format \"BusyBox\": repository name must be lowercase");
  }
  EXPECT_THROW(parse_reference(""), ReferenceError);
  EXPECT_THROW(parse_reference("app:bad/tag:"), ReferenceError);
  EXPECT_THROW(parse_reference("app@sha256:123"), ReferenceError);
  EXPECT_THROW(parse_reference("a//b"), ReferenceError);
  EXPECT_THROW(parse_reference("-app"), ReferenceError);
}

TEST(ImageReference, IdsAndTheirPrefixes) {
  EXPECT_TRUE(looks_like_id("sha256:" + std::string(64, 'f')));
  EXPECT_TRUE(looks_like_id("0123456789ab"));
  EXPECT_FALSE(looks_like_id("0123456789a"));
  EXPECT_FALSE(looks_like_id("busybox"));
}

}  // namespace
}  // namespace ukube::images
