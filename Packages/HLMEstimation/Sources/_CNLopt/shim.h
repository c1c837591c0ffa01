// The part of NLopt that HLMEstimation calls: derivative-free and quasi-Newton minimisation with bounds.
#ifndef HLM_CNLOPT_SHIM_H
#define HLM_CNLOPT_SHIM_H

typedef struct nlopt_opt_s *nlopt_opt;
typedef double (*nlopt_func)(unsigned n, const double *x, double *gradient, void *func_data);

// nlopt_algorithm values (nlopt.h).
enum {
    HLM_NLOPT_LD_LBFGS = 11,
    HLM_NLOPT_LD_VAR2 = 14,
    HLM_NLOPT_LD_TNEWTON_PRECOND_RESTART = 18,
    HLM_NLOPT_LD_MMA = 24,
    HLM_NLOPT_LN_NEWUOA = 26,
    HLM_NLOPT_LN_NELDERMEAD = 28,
    HLM_NLOPT_LN_BOBYQA = 34,
    HLM_NLOPT_LD_SLSQP = 40,
};

// nlopt_result values (nlopt.h).
enum {
    HLM_NLOPT_FAILURE = -1,
    HLM_NLOPT_INVALID_ARGS = -2,
    HLM_NLOPT_OUT_OF_MEMORY = -3,
    HLM_NLOPT_ROUNDOFF_LIMITED = -4,
    HLM_NLOPT_FORCED_STOP = -5,
    HLM_NLOPT_SUCCESS = 1,
    HLM_NLOPT_STOPVAL_REACHED = 2,
    HLM_NLOPT_FTOL_REACHED = 3,
    HLM_NLOPT_XTOL_REACHED = 4,
    HLM_NLOPT_MAXEVAL_REACHED = 5,
    HLM_NLOPT_MAXTIME_REACHED = 6,
};

nlopt_opt nlopt_create(int algorithm, unsigned n);
void nlopt_destroy(nlopt_opt opt);
int nlopt_set_min_objective(nlopt_opt opt, nlopt_func f, void *f_data);
int nlopt_set_lower_bounds(nlopt_opt opt, const double *lb);
int nlopt_set_upper_bounds(nlopt_opt opt, const double *ub);
int nlopt_set_ftol_rel(nlopt_opt opt, double tol);
int nlopt_set_ftol_abs(nlopt_opt opt, double tol);
int nlopt_set_xtol_rel(nlopt_opt opt, double tol);
int nlopt_set_xtol_abs1(nlopt_opt opt, double tol);
int nlopt_set_maxeval(nlopt_opt opt, int maxeval);
int nlopt_set_initial_step(nlopt_opt opt, const double *dx);
int nlopt_optimize(nlopt_opt opt, double *x, double *opt_f);

#endif
