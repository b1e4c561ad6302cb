#include "deepntk/io/file.hpp"

#include "deepntk/core/quoted_path.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <exception>
#include <stdexcept>
#include <system_error>
#include <vector>

#include "hdf5_detail.hpp"

namespace deepntk::io {

namespace {

// File access through MPI-IO on `comm`, tuned for many ranks.
PropertyListId mpio_access(MPI_Comm comm) {
  PropertyListId fapl(check(H5Pcreate(H5P_FILE_ACCESS), "H5Pcreate", "file access properties"));
  check(H5Pset_fapl_mpio(fapl.get(), comm, MPI_INFO_NULL), "H5Pset_fapl_mpio", "");
  // Metadata is read by one rank and broadcast, and written collectively, instead of every
  // rank hitting the file system for the same bytes. Requires that all ranks make the same
  // metadata calls, which this API guarantees (every method is collective).
  check(H5Pset_all_coll_metadata_ops(fapl.get(), 1), "H5Pset_all_coll_metadata_ops", "");
  check(H5Pset_coll_metadata_write(fapl.get(), 1), "H5Pset_coll_metadata_write", "");
  // Parallel file systems often lack flock(); locking is still used where it works.
  check(H5Pset_file_locking(fapl.get(), 1, 1), "H5Pset_file_locking", "");
  return fapl;
}

std::vector<std::string_view> split_components(std::string_view object) {
  std::vector<std::string_view> parts;
  std::size_t begin = 1;
  while (begin < object.size()) {
    const std::size_t end = object.find('/', begin);
    const std::size_t stop = end == std::string_view::npos ? object.size() : end;
    parts.push_back(object.substr(begin, stop - begin));
    begin = stop + 1;
  }
  return parts;
}

}  // namespace

void validate_object_path(std::string_view object) {
  const bool absolute = !object.empty() && object.front() == '/';
  const bool clean = object == "/" || (object.back() != '/' && object.find("//") == std::string_view::npos);
  if (!absolute || !clean) {
    throw std::invalid_argument("HDF5 object path '" + std::string(object) +
                                "' must be absolute with non-empty components, e.g. /kernels/ntk/10/train");
  }
}

File::File(const mpi::Communicator& comm, std::filesystem::path path, bool read_only)
    : comm_(comm), path_(std::move(path)), read_only_(read_only) {}

File File::create(const mpi::Communicator& comm, const std::filesystem::path& path, IfExists if_exists) {
  silence_hdf5_error_printing();
  // Rank 0 looks at the file system once; every rank then acts on the same answer.
  std::optional<std::string> refusal;
  if (comm.is_root()) {
    std::error_code ec;
    const auto parent = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
    if (std::filesystem::is_directory(path, ec)) {
      refusal = "cannot create HDF5 file " + quoted(path) + ": it is a directory";
    } else if (if_exists == IfExists::fail && std::filesystem::exists(path, ec)) {
      refusal = "cannot create HDF5 file " + quoted(path) + ": it already exists";
    } else if (!std::filesystem::is_directory(parent, ec)) {
      refusal = "cannot create HDF5 file " + quoted(path) + ": directory " + quoted(parent) + " does not exist";
    }
  }
  mpi::raise_if_any(comm.handle(), refusal);

  File file(comm, path, false);
  file.unwind_.emplace(comm.handle());
  const auto fapl = mpio_access(comm.handle());
  const unsigned flags = if_exists == IfExists::fail ? H5F_ACC_EXCL : H5F_ACC_TRUNC;
  file.id_ = detail::agree(comm.handle(), [&] {
    return FileId(check(H5Fcreate(path.c_str(), flags, H5P_DEFAULT, fapl.get()), "H5Fcreate", quoted(path)));
  });
  return file;
}

File File::open_read_only(const mpi::Communicator& comm, const std::filesystem::path& path) {
  silence_hdf5_error_printing();
  std::optional<std::string> refusal;
  if (comm.is_root()) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) {
      refusal = "HDF5 file " + quoted(path) + " does not exist";
    } else if (!std::filesystem::is_regular_file(path, ec)) {
      refusal = "HDF5 file " + quoted(path) + " is not a regular file";
    } else if (::access(path.c_str(), R_OK) != 0) {
      // Otherwise H5Fopen's failure reads as a damaged file.
      refusal = "cannot read HDF5 file " + quoted(path) + ": " + std::strerror(errno);
    }
  }
  mpi::raise_if_any(comm.handle(), refusal);

  File file(comm, path, true);
  file.unwind_.emplace(comm.handle());
  const auto fapl = mpio_access(comm.handle());
  file.id_ = detail::agree(comm.handle(), [&] {
    try {
      return FileId(check(H5Fopen(path.c_str(), H5F_ACC_RDONLY, fapl.get()), "H5Fopen", ""));
    } catch (const Hdf5Error& e) {
      throw Hdf5Error("cannot open " + quoted(path) + " as an HDF5 file (truncated or not HDF5?): " + e.what());
    }
  });
  return file;
}

File::~File() {
  if (!id_.valid()) return;
  if (std::uncaught_exceptions() > 0 && unwind_) {
    if (!unwind_->all_ranks_arrive_within(UnwindAgreement::default_patience)) {
      // Only this rank is unwinding: a collective close would wait forever. Leave the file to
      // the process end (the top level aborts the job for a local error).
      static_cast<void>(id_.release());
      return;
    }
    if (before_unwind_close_) {
      try {
        before_unwind_close_();
      } catch (...) {
        // Best effort: the close below is attempted either way.
      }
      // Nobody starts the close before every rank has prepared.
      if (!unwind_->all_ranks_arrive_within(UnwindAgreement::default_patience)) {
        static_cast<void>(id_.release());
        return;
      }
    }
  }
  id_.reset();
}

const std::filesystem::path& File::reported_path() const noexcept {
  return reported_path_.empty() ? path_ : reported_path_;
}

bool File::exists(std::string_view object) const {
  validate_object_path(object);
  if (object == "/") return true;
  // H5Lexists needs every parent to exist, so walk the path one link at a time.
  std::string prefix;
  for (const std::string_view part : split_components(object)) {
    if (!prefix.empty() && !is_group(prefix)) return false;
    prefix += '/';
    prefix += part;
    if (check(H5Lexists(id(), prefix.c_str(), H5P_DEFAULT), "H5Lexists", describe(prefix)) <= 0) return false;
  }
  return true;
}

namespace {
H5I_type_t object_kind(const File& file, std::string_view object) {
  ObjectId opened(
      check(H5Oopen(file.id(), std::string(object).c_str(), H5P_DEFAULT), "H5Oopen", file.describe(object)));
  return H5Iget_type(opened.get());
}
}  // namespace

bool File::is_group(std::string_view object) const {
  if (object == "/") return true;
  return exists(object) && object_kind(*this, object) == H5I_GROUP;
}

bool File::is_dataset(std::string_view object) const {
  return exists(object) && object_kind(*this, object) == H5I_DATASET;
}

void File::require_group(std::string_view group) {
  validate_object_path(group);
  if (exists(group)) {
    if (!is_group(group)) {
      throw mpi::CollectiveError("cannot create group " + describe(group) + ": a dataset is in the way");
    }
    return;
  }
  const auto lcpl = detail::intermediate_groups_lcpl();
  GroupId created(check(H5Gcreate2(id(), std::string(group).c_str(), lcpl.get(), H5P_DEFAULT, H5P_DEFAULT),
                        "H5Gcreate2", describe(group)));
  created.close("H5Gclose", describe(group));
}

DatasetId File::open_dataset(std::string_view dataset) const {
  validate_object_path(dataset);
  if (!exists(dataset)) {
    throw mpi::CollectiveError("dataset '" + std::string(dataset) + "' not found in HDF5 file " + quoted(path_));
  }
  if (!is_dataset(dataset)) {
    throw mpi::CollectiveError("'" + std::string(dataset) + "' in HDF5 file " + quoted(path_) + " is not a dataset");
  }
  return DatasetId(check(H5Dopen2(id(), std::string(dataset).c_str(), H5P_DEFAULT), "H5Dopen2", describe(dataset)));
}

void File::flush() {
  detail::agree_writing(*this, [&] { check(H5Fflush(id(), H5F_SCOPE_GLOBAL), "H5Fflush", quoted(path_)); });
}

void File::close() {
  detail::agree_writing(*this, [&] { id_.close("H5Fclose", quoted(path_)); });
}

std::string File::describe(std::string_view object) const {
  std::string text("'");
  text += object;
  text += "' in ";
  text += quoted(path_);
  return text;
}

}  // namespace deepntk::io
