#include "deepntk/io/checkpoint_merge.hpp"

#include <hdf5.h>

#include <algorithm>
#include <stdexcept>

#include "hdf5_detail.hpp"

namespace deepntk::io {

namespace {

herr_t collect_name(hid_t /*group*/, const char* name, const H5L_info_t* /*info*/, void* names) {
  static_cast<std::vector<std::string>*>(names)->emplace_back(name);
  return 0;
}

// Link names of a group in name order (the same on every rank).
std::vector<std::string> link_names(hid_t file, const std::string& group, const std::string& what) {
  GroupId id(check(H5Gopen2(file, group.c_str(), H5P_DEFAULT), "H5Gopen2", what));
  std::vector<std::string> names;
  hsize_t index = 0;
  check(H5Literate(id.get(), H5_INDEX_NAME, H5_ITER_INC, &index, collect_name, &names), "H5Literate", what);
  return names;
}

bool is_group(hid_t file, const std::string& path, const std::string& what) {
  H5O_info_t info;
  check(H5Oget_info_by_name2(file, path.c_str(), &info, H5O_INFO_BASIC, H5P_DEFAULT), "H5Oget_info_by_name", what);
  return info.type == H5O_TYPE_GROUP;
}

void merge_group(const File& from, File& to, const std::string& group, const std::vector<std::string>& skip) {
  for (const auto& name : link_names(from.id(), group, from.describe(group))) {
    if (group == "/" && std::find(skip.begin(), skip.end(), name) != skip.end()) continue;
    const std::string path = group == "/" ? "/" + name : group + "/" + name;
    if (!to.exists(path)) {
      // The copy writes the object's data; on a full disk every rank must fail together.
      detail::agree_writing(to, [&] {
        const auto lcpl = detail::intermediate_groups_lcpl();
        check(H5Ocopy(from.id(), path.c_str(), to.id(), path.c_str(), H5P_DEFAULT, lcpl.get()), "H5Ocopy",
              from.describe(path));
      });
    } else if (is_group(from.id(), path, from.describe(path)) && to.is_group(path)) {
      merge_group(from, to, path, skip);
    } else {
      throw std::logic_error("merging " + from.describe(path) + ": " + to.describe(path) + " exists already");
    }
  }
}

}  // namespace

void merge_file_tree(const File& from, File& to, const std::vector<std::string>& skip) {
  merge_group(from, to, "/", skip);
}

}  // namespace deepntk::io
