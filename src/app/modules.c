/*
 * modules.c - the explicit list of feature modules, in start-up order.
 * Routes of earlier modules are matched first.
 */
#include "app/app.h"

extern const struct module system_module;
extern const struct module account_module;
extern const struct module region_module;
extern const struct module catalog_module;
extern const struct module calendar_module;
extern const struct module site_module;
extern const struct module live_module;
extern const struct module fault_module;
extern const struct module inbox_module;
extern const struct module service_module;
extern const struct module booking_module;
extern const struct module feed_module;
extern const struct module fair_module;
extern const struct module volunteer_module;
extern const struct module points_module;
extern const struct module lending_module;
extern const struct module locker_module;
extern const struct module visit_module;
extern const struct module supply_module;
extern const struct module checklist_module;
extern const struct module report_module;
extern const struct module childcare_module;
extern const struct module ogc_module;
extern const struct module web_module;

const struct module *const app_modules[] = {
    &system_module,  &account_module,   &region_module, &catalog_module,   &calendar_module,
    &site_module,    &live_module,      &fault_module,  &inbox_module,     &service_module,
    &booking_module, &feed_module,      &fair_module,   &volunteer_module, &points_module,
    &lending_module, &locker_module,    &visit_module,  &supply_module,    &checklist_module,
    &report_module,  &childcare_module, &ogc_module,    &web_module,
};

const size_t app_module_count = sizeof app_modules / sizeof app_modules[0];
