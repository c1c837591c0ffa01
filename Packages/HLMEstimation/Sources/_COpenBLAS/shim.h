// The BLAS and LAPACK routines HLMEstimation calls (Fortran calling convention, column-major).
#ifndef HLM_COPENBLAS_SHIM_H
#define HLM_COPENBLAS_SHIM_H

// Cholesky factorisation of a symmetric positive definite matrix.
void dpotrf_(const char *uplo, const int *n, double *a, const int *lda, int *info);
// Inverse from a Cholesky factor.
void dpotri_(const char *uplo, const int *n, double *a, const int *lda, int *info);
// Triangular solve with several right-hand sides: op(A) X = alpha B or X op(A) = alpha B.
void dtrsm_(const char *side, const char *uplo, const char *transa, const char *diag,
            const int *m, const int *n, const double *alpha, const double *a, const int *lda,
            double *b, const int *ldb);
// Triangular solve with one right-hand side: op(A) x = b, x overwriting b.
void dtrsv_(const char *uplo, const char *trans, const char *diag, const int *n, const double *a, const int *lda,
            double *x, const int *incx);
// Matrix-vector product: y = alpha op(A) x + beta y.
void dgemv_(const char *trans, const int *m, const int *n, const double *alpha, const double *a, const int *lda,
            const double *x, const int *incx, const double *beta, double *y, const int *incy);
// Symmetric rank-k update: C = alpha A A' + beta C (trans = "N") or alpha A' A + beta C ("T").
void dsyrk_(const char *uplo, const char *trans, const int *n, const int *k, const double *alpha,
            const double *a, const int *lda, const double *beta, double *c, const int *ldc);
// General matrix product: C = alpha op(A) op(B) + beta C.
void dgemm_(const char *transa, const char *transb, const int *m, const int *n, const int *k,
            const double *alpha, const double *a, const int *lda, const double *b, const int *ldb,
            const double *beta, double *c, const int *ldc);
// Symmetric eigen-decomposition.
void dsyev_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda, double *w,
            double *work, const int *lwork, int *info);
// OpenBLAS's own thread count: turned to one while HLMEstimation splits the work itself.
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
// Ends OpenBLAS's worker threads, as before a fork; the next call that runs on several threads starts them
// again. Weak: a build of OpenBLAS without its thread server lacks it, and then nothing is done.
int blas_thread_shutdown_(void) __attribute__((weak));
static inline void hlm_blas_stop_workers(void) {
    if (blas_thread_shutdown_) blas_thread_shutdown_();
}
// A spin-wait hint (x86's PAUSE): a polling loop leaves the core's resources to the thread beside it
// (a VM's two vCPUs may be one physical core's two hyperthreads) and wakes without a pipeline flush.
static inline void hlm_spin_pause(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}
// The core type OpenBLAS chose its kernels for ("Prescott", "Haswell", "SkylakeX", ...).
char *openblas_get_corename(void);

#endif
