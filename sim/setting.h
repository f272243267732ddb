/* Reading the simulator's libconfig files (scenario.c, bank_physics.c):
 * what both loaders do the same way. */
#ifndef SIM_SETTING_H
#define SIM_SETTING_H

#include <libconfig.h>
#include <stdbool.h>

/* The value of an int, int64 or float setting as a double; false (and *v
 * untouched) for a setting of any other type. */
bool sim_setting_number(const config_setting_t *s, double *v);

#endif
