#pragma once
// Serial LAPACK/BLAS on whole column-major matrices: the references that every distributed
// routine is tested against, and small-problem helpers.

#include <cstdint>
#include <vector>

namespace deepntk::linalg::serial {

/// C (m x n) := A (m x k) * B (k x n), or with A / B transposed as stored.
[[nodiscard]] std::vector<double> gemm(bool transpose_a, bool transpose_b, std::int64_t m, std::int64_t n,
                                       std::int64_t k, const std::vector<double>& a, const std::vector<double>& b);

/// C (m x n, leading dimension ldc) := A^T B + beta C for column-major A (k x m, lda) and
/// B (k x n, ldb), on raw storage: the inner products of two sets of columns, for callers that
/// accumulate many small products into views of larger arrays without copies.
void gemm_tn(std::int64_t m, std::int64_t n, std::int64_t k, const double* a, std::int64_t lda, const double* b,
             std::int64_t ldb, double beta, double* c, std::int64_t ldc);

/// Lower Cholesky factor of the n x n SPD matrix (upper triangle zeroed). Throws NotPositiveDefinite.
[[nodiscard]] std::vector<double> cholesky_lower(std::int64_t n, std::vector<double> a);

/// Ascending eigenvalues of the symmetric n x n matrix (lower triangle used); eigenvectors
/// written to `vectors` (column-major) when it is not null.
[[nodiscard]] std::vector<double> symmetric_eigenvalues(std::int64_t n, std::vector<double> a,
                                                         std::vector<double>* vectors = nullptr);

/// X (n x nrhs) solving A X = B for the symmetric positive definite n x n A (DPOSV, lower
/// triangle used). Throws NotPositiveDefinite.
[[nodiscard]] std::vector<double> spd_solve(std::int64_t n, std::int64_t nrhs, std::vector<double> a,
                                            std::vector<double> b);

/// The minimum-norm least-squares solution X (n x nrhs) of A X = B for the m x n A, by the SVD
/// (DGELSD): singular values <= rcond * s_max count as zero, so for a singular symmetric A this
/// is the pseudo-inverse A^+ B, an independent reference for eigen-based truncated solves.
[[nodiscard]] std::vector<double> least_squares(std::int64_t m, std::int64_t n, std::int64_t nrhs,
                                                std::vector<double> a, const std::vector<double>& b, double rcond);

}  // namespace deepntk::linalg::serial
