-- 0030_mentor_role.pg.sql: the mentor role and the 'mentoring' offering
-- kind (livestreamer mentoring, 0028) widen two CHECKs.
ALTER TABLE role_grants DROP CONSTRAINT role_grants_role_check;
ALTER TABLE role_grants ADD CONSTRAINT role_grants_role_check
    CHECK (role IN ('staff', 'provider', 'merchant', 'dispatcher', 'region_admin',
                    'system_admin', 'grid_manager', 'mentor'));
ALTER TABLE offerings DROP CONSTRAINT offerings_kind_check;
ALTER TABLE offerings ADD CONSTRAINT offerings_kind_check
    CHECK (kind IN ('appointment', 'workshop', 'package', 'fair_booth', 'other', 'mentoring'));
