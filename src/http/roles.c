/*
 * roles.c - the one table of roles: the bit the server checks, the name
 * the API and the command line use, and the kinds of place a grant of
 * the role may be scoped to. The server, `warmharbor routes`, the account
 * module and the web app (through GET /api/config) all read this table.
 */
#include <string.h>

#include "http/http.h"

const struct role_info http_roles[] = {
    {ROLE_USER, "user", ""},
    {ROLE_STAFF, "staff", "site,region"},
    {ROLE_PROVIDER, "provider", "organization,site,region"},
    {ROLE_MERCHANT, "merchant", "site,region"},
    {ROLE_DISPATCHER, "dispatcher", "department,region"},
    {ROLE_REGION_ADMIN, "region_admin", "region"},
    {ROLE_SYSTEM_ADMIN, "system_admin", "global"},
    /* part-time grid managers (couriers, riders): a grant on a grid, or on
     * a community for all of its grids; they handle the reports there */
    {ROLE_GRID_MANAGER, "grid_manager", "region"},
    /* mentors of livestream hosts: they see the hosts an admin assigned
     * them (mentoring module) */
    {ROLE_MENTOR, "mentor", "region"},
};

const size_t http_role_count = sizeof http_roles / sizeof http_roles[0];

unsigned role_bit(const char *name)
{
    for (size_t i = 0; i < http_role_count; i++)
        if (strcmp(http_roles[i].name, name) == 0)
            return http_roles[i].bit;
    return 0;
}

const char *role_name(unsigned bit)
{
    for (size_t i = 0; i < http_role_count; i++)
        if (http_roles[i].bit == bit)
            return http_roles[i].name;
    return NULL;
}
