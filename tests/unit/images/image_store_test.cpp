// The local image store: the three archive kinds imported, names and ids, root
// filesystems unpacked with whiteouts and kept inside their folder, and removal.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <string>

#include "image_fixtures.h"
#include "ukube/images/image_store.h"
#include "ukube/testing/temp_dir.h"

namespace ukube::images {
namespace {

using namespace testing;

class ImageStoreTest : public ::testing::Test {
 protected:
  fs::path path(const std::string& name) { return dir_.path() / name; }

  // A plain rootfs tar with /bin/tool and /etc/motd.
  fs::path rootfs_tar() {
    write_file(path("rootfs/bin/tool"), "#!/bin/sh\necho tool\n");
    write_file(path("rootfs/etc/motd"), "welcome\n");
    fs::permissions(path("rootfs/bin/tool"), fs::perms::owner_all | fs::perms::group_read);
    const fs::path out = path("rootfs.tar");
    tar_of(path("rootfs"), out);
    return out;
  }

  // The same tar, byte for byte, gzip-compressed (a tar made again could carry other
  // modification times).
  fs::path gzipped(const fs::path& tar) {
    sh("gzip -kf " + quoted(tar));
    return tar.string() + ".gz";
  }

  // Two layers: the first writes a, d/x and keep; the second deletes a, makes d opaque
  // (d/x goes) with d/y, and adds b.
  std::pair<fs::path, fs::path> two_layers() {
    write_file(path("l1/a"), "a");
    write_file(path("l1/d/x"), "x");
    write_file(path("l1/keep"), "keep");
    write_file(path("l2/.wh.a"), "");
    write_file(path("l2/d/.wh..wh..opq"), "");
    write_file(path("l2/d/y"), "y");
    write_file(path("l2/b"), "b");
    fs::create_directories(path("layers"));
    tar_of(path("l1"), path("layers/l1.tar"));
    tar_of(path("l2"), path("layers/l2.tar.gz"), /*gzip=*/true);
    return {path("layers/l1.tar"), path("layers/l2.tar.gz")};
  }

  void expect_two_layer_rootfs(const fs::path& rootfs) {
    EXPECT_FALSE(fs::exists(rootfs / "a"));
    EXPECT_FALSE(fs::exists(rootfs / "d/x"));
    EXPECT_EQ(read_file(rootfs / "d/y"), "y");
    EXPECT_EQ(read_file(rootfs / "b"), "b");
    EXPECT_EQ(read_file(rootfs / "keep"), "keep");
    EXPECT_FALSE(fs::exists(rootfs / "d/.wh..wh..opq"));
  }

  static constexpr const char* kConfig =
      R"({"architecture":"amd64","os":"linux","config":{"Entrypoint":["/bin/app"],"Cmd":["--serve"],)"
      R"("Env":["PATH=/bin"],"WorkingDir":"/srv","User":"1000","Labels":{"team":"a"}},)"
      R"("rootfs":{"type":"layers","diff_ids":[]}})";

  ukube::testing::TempDir dir_{"images"};
  ImageStore store_{dir_.path() / "store"};
};

TEST_F(ImageStoreTest, APlainRootfsNeedsANameAndBecomesAnImage) {
  const fs::path tar = rootfs_tar();
  try {
    store_.import(tar);
    ADD_FAILURE() << "imported without a name";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("name the image with --name NAME:TAG"), std::string::npos)
        << e.what();
  }
  auto images = store_.import(tar, {"busybox:1.35", {"sh"}});
  ASSERT_EQ(images.size(), 1u);
  const Image& image = images[0];
  EXPECT_EQ(image.names, std::vector<std::string>{"docker.io/library/busybox:1.35"});
  EXPECT_EQ(image.config.cmd, std::vector<std::string>{"sh"});
  EXPECT_EQ(image.id.rfind("sha256:", 0), 0u);
  EXPECT_GT(image.size, 0);

  // Found by every way a user names it.
  for (const std::string& name : std::vector<std::string>{"busybox:1.35", "docker.io/library/busybox:1.35",
                                                          image.id, image.id.substr(7, 12)})
    EXPECT_TRUE(store_.find(name)) << name;
  EXPECT_FALSE(store_.find("busybox:1.36"));

  const fs::path rootfs = store_.rootfs(image);
  EXPECT_EQ(read_file(rootfs / "etc/motd"), "welcome\n");
  EXPECT_TRUE(fs::status(rootfs / "bin/tool").permissions() ==
              (fs::perms::owner_all | fs::perms::group_read));
  EXPECT_EQ(store_.rootfs(image), rootfs);  // unpacked once

  // The same files are the same image, compressed or not, under every name they get.
  EXPECT_EQ(store_.import(gzipped(tar), {"busybox:latest", {"sh"}}).front().id, image.id);
  EXPECT_EQ(store_.import(tar, {"mine:1", {"sh"}}).front().id, image.id);
  EXPECT_EQ(store_.list().size(), 1u);
  EXPECT_EQ(store_.find("mine:1")->names.size(), 3u);
}

TEST_F(ImageStoreTest, DockerArchivesKeepTheirTagsAndConfig) {
  auto [l1, l2] = two_layers();
  fs::create_directories(path("docker/one"));
  fs::copy_file(l1, path("docker/one/layer.tar"));
  fs::copy_file(l2, path("docker/two.tar.gz"));
  write_file(path("docker/cfg.json"), kConfig);
  write_file(path("docker/manifest.json"),
             R"([{"Config":"cfg.json","RepoTags":["registry.local:5000/team/app:2"],)"
             R"("Layers":["one/layer.tar","two.tar.gz"]}])");
  tar_of(path("docker"), path("docker.tar"));

  auto images = store_.import(path("docker.tar"));
  ASSERT_EQ(images.size(), 1u);
  EXPECT_EQ(images[0].names, std::vector<std::string>{"registry.local:5000/team/app:2"});
  EXPECT_EQ(images[0].id, sha256_of(path("docker/cfg.json")));
  EXPECT_EQ(images[0].config.entrypoint, std::vector<std::string>{"/bin/app"});
  EXPECT_EQ(images[0].config.working_dir, "/srv");
  EXPECT_EQ(images[0].config.user, "1000");
  EXPECT_EQ(images[0].config.labels.at("team"), "a");
  expect_two_layer_rootfs(store_.rootfs(images[0]));
}

TEST_F(ImageStoreTest, OciLayoutsAreCheckedAgainstTheirDigests) {
  auto [l1, l2] = two_layers();
  const fs::path blobs = path("oci/blobs/sha256");
  fs::create_directories(blobs);
  auto add_blob = [&](const fs::path& file) {
    const std::string digest = sha256_of(file);
    fs::copy_file(file, blobs / digest.substr(7), fs::copy_options::overwrite_existing);
    return std::pair{digest, static_cast<int64_t>(fs::file_size(file))};
  };
  write_file(path("cfg.json"), kConfig);
  auto [config, config_size] = add_blob(path("cfg.json"));
  auto [layer1, size1] = add_blob(l1);
  auto [layer2, size2] = add_blob(l2);
  write_file(path("manifest.json"),
             R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",)"
             R"("config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":")" +
                 config + R"(","size":)" + std::to_string(config_size) +
                 R"(},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":")" + layer1 +
                 R"(","size":)" + std::to_string(size1) +
                 R"(},{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":")" + layer2 +
                 R"(","size":)" + std::to_string(size2) + "}]}");
  auto [manifest, manifest_size] = add_blob(path("manifest.json"));
  write_file(path("oci/oci-layout"), R"({"imageLayoutVersion":"1.0.0"})");
  write_file(path("oci/index.json"),
             R"({"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json",)"
             R"("digest":")" +
                 manifest + R"(","size":)" + std::to_string(manifest_size) +
                 R"(,"annotations":{"org.opencontainers.image.ref.name":"1.0"}}]})");
  tar_of(path("oci"), path("oci.tar"));

  // "1.0" is only a tag: the image needs a name.
  EXPECT_THROW(store_.import(path("oci.tar")), StoreError);
  auto images = store_.import(path("oci.tar"), {"example.com/app:1.0", {}});
  ASSERT_EQ(images.size(), 1u);
  EXPECT_EQ(images[0].manifest_digest, manifest);
  expect_two_layer_rootfs(store_.rootfs(images[0]));

  // A blob whose bytes do not match its digest is refused.
  write_file(blobs / layer1.substr(7), "tampered");
  tar_of(path("oci"), path("bad.tar"));
  try {
    store_.import(path("bad.tar"), {"example.com/bad:1", {}});
    ADD_FAILURE() << "tampered blob accepted";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("does not match its digest"), std::string::npos) << e.what();
  }
}

TEST_F(ImageStoreTest, LayersCannotWriteOutsideTheRootfs) {
  const fs::path outside = path("outside");
  fs::create_directories(outside);
  fs::create_directories(path("evil"));
  fs::create_symlink("../../../../../../../../" + outside.string(), path("evil/up"));
  fs::create_symlink(outside, path("evil/abs"));
  tar_of(path("evil"), path("evil1.tar"));
  fs::remove_all(path("evil"));
  // Entries under the links, without entries for the links' own names (which would
  // replace them): they must follow the links as inside a chroot.
  write_file(path("evil/up/escaped"), "no");
  write_file(path("evil/abs/escaped2"), "no");
  tar_paths(path("evil"), path("evil2.tar"), "up/escaped abs/escaped2");
  write_file(path("docker/cfg.json"), kConfig);
  fs::copy_file(path("evil1.tar"), path("docker/1.tar"));
  fs::copy_file(path("evil2.tar"), path("docker/2.tar"));
  write_file(path("docker/manifest.json"),
             R"([{"Config":"cfg.json","RepoTags":["evil:1"],"Layers":["1.tar","2.tar"]}])");
  tar_of(path("docker"), path("docker.tar"));
  const fs::path rootfs = store_.rootfs(store_.import(path("docker.tar")).front());
  EXPECT_TRUE(fs::is_empty(outside));
  // Both land under the rootfs, where the links lead when it is "/".
  EXPECT_TRUE(fs::exists(rootfs / outside.relative_path() / "escaped"));
  EXPECT_TRUE(fs::exists(rootfs / outside.relative_path() / "escaped2"));
}

TEST_F(ImageStoreTest, RemovingTheLastNameRemovesTheImage) {
  const fs::path tar = rootfs_tar();
  const Image image = store_.import(tar, {"a:1", {}}).front();
  store_.import(tar, {"b:1", {}});
  const fs::path rootfs = store_.rootfs(image);

  EXPECT_EQ(store_.remove("a:1"), std::vector<std::string>{"docker.io/library/a:1"});
  EXPECT_TRUE(store_.find(image.id));
  EXPECT_TRUE(fs::exists(rootfs));

  EXPECT_THROW(store_.remove("b:1", [&](const std::string& id) { return id == image.id; }), StoreError);
  store_.remove("b:1");
  EXPECT_TRUE(store_.list().empty());
  EXPECT_FALSE(fs::exists(rootfs));
  EXPECT_TRUE(fs::is_empty(dir_.path() / "store" / "blobs" / "sha256"));
  try {
    store_.remove("b:1");
    ADD_FAILURE() << "removed twice";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("no image \"b:1\""), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace ukube::images
