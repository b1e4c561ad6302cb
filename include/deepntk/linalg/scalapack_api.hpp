#pragma once
// The only place in deepntk that declares foreign BLACS / PBLAS / ScaLAPACK / LAPACK
// entry points. Everything else calls the typed wrappers in deepntk/linalg/ and
// deepntk/grid/, which check every INFO.
//
// ABI notes (gfortran, as built by Debian and most clusters):
//  * ScaLAPACK and LAPACK routines are Fortran: every argument by pointer, and one hidden
//    trailing `std::size_t` length per CHARACTER argument, in order.
//  * PBLAS (pd*) routines and the C BLACS interface (Cblacs_*) are written in C and take no
//    hidden lengths.

#include <mpi.h>

#include <cstddef>

extern "C" {

// ---- BLACS, C interface ---------------------------------------------------------------
int Csys2blacs_handle(MPI_Comm comm);
void Cfree_blacs_system_handle(int handle);
void Cblacs_gridinit(int* context, const char* order, int rows, int cols);
void Cblacs_gridinfo(int context, int* rows, int* cols, int* my_row, int* my_col);
void Cblacs_gridexit(int context);

// ---- PBLAS (C) --------------------------------------------------------------------------
void pdgemm_(const char* trans_a, const char* trans_b, const int* m, const int* n, const int* k,
             const double* alpha, const double* a, const int* ia, const int* ja, const int* desc_a,
             const double* b, const int* ib, const int* jb, const int* desc_b, const double* beta,
             double* c, const int* ic, const int* jc, const int* desc_c);
void pdsyrk_(const char* uplo, const char* trans, const int* n, const int* k, const double* alpha,
             const double* a, const int* ia, const int* ja, const int* desc_a, const double* beta,
             double* c, const int* ic, const int* jc, const int* desc_c);
void pdtran_(const int* m, const int* n, const double* alpha, const double* a, const int* ia,
             const int* ja, const int* desc_a, const double* beta, double* c, const int* ic,
             const int* jc, const int* desc_c);
// sub(C) := beta sub(C) + alpha op(sub(A)); unlike PDLACPY it moves data between processes,
// so source and target submatrices need not be aligned.
void pdgeadd_(const char* trans, const int* m, const int* n, const double* alpha, const double* a,
              const int* ia, const int* ja, const int* desc_a, const double* beta, double* c,
              const int* ic, const int* jc, const int* desc_c);
void pdsymm_(const char* side, const char* uplo, const int* m, const int* n, const double* alpha,
             const double* a, const int* ia, const int* ja, const int* desc_a, const double* b,
             const int* ib, const int* jb, const int* desc_b, const double* beta, double* c,
             const int* ic, const int* jc, const int* desc_c);

// ---- ScaLAPACK (Fortran) ----------------------------------------------------------------
void pdpotrf_(const char* uplo, const int* n, double* a, const int* ia, const int* ja,
              const int* desc_a, int* info, std::size_t uplo_len);
void pdpotrs_(const char* uplo, const int* n, const int* nrhs, const double* a, const int* ia,
              const int* ja, const int* desc_a, double* b, const int* ib, const int* jb,
              const int* desc_b, int* info, std::size_t uplo_len);
void pdsyevd_(const char* jobz, const char* uplo, const int* n, double* a, const int* ia,
              const int* ja, const int* desc_a, double* w, double* z, const int* iz, const int* jz,
              const int* desc_z, double* work, const int* lwork, int* iwork, const int* liwork,
              int* info, std::size_t jobz_len, std::size_t uplo_len);
void pdsyevr_(const char* jobz, const char* range, const char* uplo, const int* n, double* a,
              const int* ia, const int* ja, const int* desc_a, const double* vl, const double* vu,
              const int* il, const int* iu, int* m, int* nz, double* w, double* z, const int* iz,
              const int* jz, const int* desc_z, double* work, const int* lwork, int* iwork,
              const int* liwork, int* info, std::size_t jobz_len, std::size_t range_len,
              std::size_t uplo_len);
void pdpocon_(const char* uplo, const int* n, const double* a, const int* ia, const int* ja,
              const int* desc_a, const double* anorm, double* rcond, double* work, const int* lwork,
              int* iwork, const int* liwork, int* info, std::size_t uplo_len);
// Norms are Fortran DOUBLE PRECISION functions (returned in a register, as from C).
double pdlange_(const char* norm, const int* m, const int* n, const double* a, const int* ia,
                const int* ja, const int* desc_a, double* work, std::size_t norm_len);
double pdlansy_(const char* norm, const char* uplo, const int* n, const double* a, const int* ia,
                const int* ja, const int* desc_a, double* work, std::size_t norm_len,
                std::size_t uplo_len);

// ---- LAPACK / BLAS (Fortran), serial references ----------------------------------------
void dgemm_(const char* trans_a, const char* trans_b, const int* m, const int* n, const int* k,
            const double* alpha, const double* a, const int* lda, const double* b, const int* ldb,
            const double* beta, double* c, const int* ldc, std::size_t ta_len, std::size_t tb_len);
void dpotrf_(const char* uplo, const int* n, double* a, const int* lda, int* info, std::size_t uplo_len);
void dposv_(const char* uplo, const int* n, const int* nrhs, double* a, const int* lda, double* b,
            const int* ldb, int* info, std::size_t uplo_len);
void dgelsd_(const int* m, const int* n, const int* nrhs, double* a, const int* lda, double* b,
             const int* ldb, double* s, const double* rcond, int* rank, double* work,
             const int* lwork, int* iwork, int* info);
void dsyevd_(const char* jobz, const char* uplo, const int* n, double* a, const int* lda, double* w,
             double* work, const int* lwork, int* iwork, const int* liwork, int* info,
             std::size_t jobz_len, std::size_t uplo_len);

}  // extern "C"
