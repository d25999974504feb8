/*
 * account_cli.c - the command-line side of accounts, for the operator on
 * the machine:
 *   warmharbor user add [--admin] [--password PW] PHONE
 *       a person; --admin makes them a system admin (the first admin is
 *       made this way). Admins need a password: without --password one is
 *       generated and printed once.
 *   warmharbor token create [--days N] PHONE
 *       a bearer token for an API client acting as PHONE, printed once
 *       (only its hash is stored).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account/account.h"
#include "app/app.h"
#include "core/clock.h"
#include "store/store.h"

int account_cli_user_add(struct app *app, int argc, char **argv)
{
    bool admin = false;
    const char *password = NULL, *phone_in = NULL;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--admin") == 0)
            admin = true;
        else if (strcmp(argv[i], "--password") == 0 && i + 1 < argc)
            password = argv[++i];
        else if (!phone_in && argv[i][0] != '-')
            phone_in = argv[i];
        else {
            fprintf(stderr, "usage: warmharbor user add [--admin] [--password PW] PHONE\n");
            return 2;
        }
    }
    char phone[12];
    if (!phone_in || account_phone_normalize(phone_in, phone)) {
        fprintf(stderr, "warmharbor: give a mainland mobile number (11 digits)\n");
        return 2;
    }
    if (password && strlen(password) < 10) {
        fprintf(stderr, "warmharbor: a password needs at least 10 characters\n");
        return 2;
    }
    struct arena a;
    arena_init(&a);
    bool generated = admin && !password;
    if (generated)
        password = account_token_new(&a);
    const char *hash = password ? account_password_hash(&a, password) : NULL;
    struct store_conn *c = store_acquire(app->store);
    int rc = c ? STORE_OK : STORE_ERROR;
    struct user u = {0};
    u.phone = phone;
    u.display_name = admin ? "管理员" : "";
    int64_t now = clock_now();
    const char *existing_hash;
    if (!rc)
        rc = store_begin(c);
    if (!rc) {
        rc = user_by_phone(c, &a, phone, &u, &existing_hash);
        if (rc == STORE_NOT_FOUND)
            rc = user_insert(c, &a, &u, hash, now);
        else if (!rc && hash)
            rc = user_set_password(c, u.id, hash, now);
    }
    if (!rc && admin)
        rc = grant_add(c, &a, u.id, "system_admin", "global", &(struct grant_target){0}, 0, now,
                       NULL);
    if (!rc)
        rc = audit_add(c, 0, admin ? "cli_add_admin" : "cli_add_user", "user",
                       arena_printf(&a, "%lld", (long long)u.id), "command line", "", now);
    if (!rc)
        rc = store_commit(c);
    else if (c)
        store_rollback(c);
    store_release(c);
    if (rc)
        fprintf(stderr, "warmharbor: the person could not be stored\n");
    else if (generated)
        printf("user %lld (%s) is a system admin; password: %s\n", (long long)u.id, phone,
               password);
    else
        printf("user %lld (%s)%s\n", (long long)u.id, phone, admin ? " is a system admin" : "");
    arena_release(&a);
    return rc ? 1 : 0;
}

int account_cli_token_create(struct app *app, int argc, char **argv)
{
    long days = ACCOUNT_SESSION_DAYS;
    const char *phone_in = NULL;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--days") == 0 && i + 1 < argc) {
            days = strtol(argv[++i], NULL, 10);
        } else if (!phone_in && argv[i][0] != '-') {
            phone_in = argv[i];
        } else {
            fprintf(stderr, "usage: warmharbor token create [--days N] PHONE\n");
            return 2;
        }
    }
    char phone[12];
    if (!phone_in || account_phone_normalize(phone_in, phone) || days < 1 || days > 3650) {
        fprintf(stderr, "usage: warmharbor token create [--days 1..3650] PHONE\n");
        return 2;
    }
    struct arena a;
    arena_init(&a);
    struct store_conn *c = store_acquire(app->store);
    struct user u;
    const char *hash;
    int64_t now = clock_now(), sid;
    int rc = c ? user_by_phone(c, &a, phone, &u, &hash) : STORE_ERROR;
    const char *token = account_token_new(&a);
    if (!rc)
        rc = session_insert(c, &a, u.id, "bearer", "operator",
                            account_token_hash(&a, account_key(app), token), "command line", now,
                            now + days * 86400, &sid);
    if (!rc)
        audit_add(c, 0, "cli_token", "user", arena_printf(&a, "%lld", (long long)u.id),
                  "command line", "", now);
    store_release(c);
    if (rc == STORE_NOT_FOUND)
        fprintf(stderr, "warmharbor: nobody has the phone %s\n", phone);
    else if (rc)
        fprintf(stderr, "warmharbor: the token could not be stored\n");
    else
        printf("%s\n", token);
    arena_release(&a);
    return rc ? 1 : 0;
}
