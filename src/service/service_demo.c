/*
 * service_demo.c - the catalogue's part of `warmharbor demo`: the
 * providers of Haizhou's one-stop services and about thirty services, most
 * of them at Xinnan Street's community centre (the Xinnan community
 * station, at the community's party-mass service centre, where the "Warm
 * New Map" shows 30 service options), some also at other stations, the
 * livestream base, the riders' service centre and a canteen.
 *
 * Made-up demo data (names of offices as such offices are usually called,
 * phone numbers invented), marked as demo: organizations that exist (by
 * code) are kept, demo services are replaced on every run.
 */
#include <stdio.h>
#include <string.h>

#include "app/app.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/text.h"
#include "service/service.h"
#include "site/site.h"
#include "store/store.h"

struct demo_org {
    const char *code, *zh, *en, *dzh, *den, *phone, *contact;
};

static const struct demo_org demo_orgs[] = {
    {"hz-social-security", "海州区社会保险服务中心", "Haizhou Social Insurance Service Centre",
     "灵活就业人员参保、缴费与待遇办理",
     "Insurance enrolment, contributions and benefits for flexible workers", "0518-85810001",
     "社保窗口"},
    {"hz-legal-aid", "海州区法律援助中心", "Haizhou Legal Aid Centre",
     "免费法律咨询、法律援助申请与律师值班",
     "Free legal advice, legal aid applications and duty lawyers", "0518-85810002", "值班律师"},
    {"hz-labour-mediation", "海州区劳动争议调解中心", "Haizhou Labour Dispute Mediation Centre",
     "欠薪与劳动争议的调解、仲裁指引",
     "Mediation of unpaid wages and employment disputes, the way to "
     "arbitration",
     "0518-85810003", "调解员"},
    {"hz-hr-market", "海州区人力资源市场", "Haizhou Human Resources Market",
     "岗位信息、零工对接、就业登记与招聘会",
     "Vacancies, gig matching, employment registration and job fairs", "0518-85810004",
     "就业服务专员"},
    {"hz-skills-centre", "海州区职业技能培训中心", "Haizhou Vocational Skills Training Centre",
     "面向新就业形态劳动者的技能培训", "Skills training for new-employment workers",
     "0518-85810005", "培训老师"},
    {"hz-trade-union", "海州区总工会", "Haizhou District Federation of Trade Unions",
     "新就业形态劳动者入会、帮扶与节日慰问",
     "Union membership, hardship support and holiday care for platform workers", "0518-85810006",
     "工会干事"},
    {"xn-health-centre", "新南社区卫生服务中心", "Xinnan Community Health Service Centre",
     "体检、慢病监测与心理健康服务", "Health checks, chronic-disease checks and mental health",
     "0518-85810007", "家庭医生"},
    {"hz-womens-federation", "海州区妇女联合会", "Haizhou Women's Federation",
     "暑期托管、课后辅导与家庭服务", "Summer childcare, homework help and family services",
     "0518-85810008", "托管班老师"},
    {"hz-livestream-base", "海州直播电商基地", "Haizhou Livestream E-commerce Base",
     "主播培训、数据分析与导师指导", "Training, analytics and mentoring for livestream hosts",
     "0518-85810009", "直播导师"},
    {"hz-warm-volunteers", "暖新志愿服务队", "Warm New Volunteer Squad",
     "快递员、骑手志愿者与社区志愿服务", "Courier and rider volunteers and community volunteering",
     "0518-85810010", "志愿队长"},
};
#define NORGS (sizeof demo_orgs / sizeof demo_orgs[0])

/* The community centre, and where else services are offered (site names
 * of the site registry's demo data). */
#define CENTRE "新南社区暖新驿站"
#define OTHER_XINNAN "陇海社区暖新驿站;南极社区暖新驿站"
#define LIVESTREAM_BASE "海州直播电商基地"
#define RIDERS_CENTRE "外卖骑手综合服务中心"

struct demo_service {
    const char *org, *category;
    const char *zh, *en, *dzh, *den;
    const char *elig_zh, *elig_en;
    const char *docs; /* "zh|en;zh|en" */
    const char *fees_zh, *fees_en;
    bool free, verified;
    const char *languages;
    const char *hours;
    const char *also; /* other sites, "name;name", with the same hours */
};

static const struct demo_service demo_services[] = {
    {"hz-social-security", "pension_medical", "灵活就业人员社保参保登记",
     "Social insurance enrolment for flexible workers",
     "帮助快递员、骑手、网约车司机以灵活就业身份参加养老和医疗保险",
     "Helps couriers, riders and drivers join pension and medical insurance as "
     "flexible workers",
     "在海州区就业的新就业形态劳动者", "New-employment workers working in Haizhou",
     "身份证|ID card;户口簿或居住证|Household register or residence permit", "", "", true, false,
     "zh", "Mo-Fr 08:30-12:00,14:00-17:30; PH off", NULL},
    {"hz-social-security", "injury_protection", "新就业形态职业伤害保障咨询",
     "Occupational injury protection for platform workers",
     "讲解平台职业伤害保障的参保方式、报案和理赔流程",
     "How platform occupational injury protection works: cover, reporting and "
     "claims",
     "在合作平台接单的骑手、快递员、网约车司机",
     "Riders, couriers and drivers taking orders on partner platforms",
     "身份证|ID card;平台账号截图|Screenshot of the platform account", "", "", true, true, "zh,en",
     "Mo-Fr 08:30-12:00,14:00-17:30; PH off", NULL},
    {"hz-social-security", "social_security", "社保缴费与待遇查询",
     "Contribution and benefit enquiries", "查询缴费记录、打印参保证明、办理待遇申领",
     "Contribution records, insurance certificates and benefit claims", "", "", "身份证|ID card",
     "", "", true, false, "zh", "Tu,Th 09:00-12:00; PH off", OTHER_XINNAN},
    {"hz-social-security", "pension_medical", "医保异地备案指导",
     "Registering medical insurance elsewhere", "异地就医备案与报销指导",
     "Registering for treatment in another city and claiming costs", "", "",
     "身份证|ID card;医保电子凭证|Electronic medical insurance card", "", "", true, false, "zh",
     "We 14:00-17:00; PH off", NULL},
    {"hz-legal-aid", "legal_consultation", "律师值班法律咨询", "Duty lawyer consultations",
     "律师驻点解答交通事故、劳动合同、租房等法律问题",
     "A lawyer on duty answers questions on accidents, contracts, renting and "
     "more",
     "所有人", "Everyone", "", "", "", true, false, "zh,en", "Tu,Th 14:00-17:00; PH off",
     "朝阳社区暖新驿站;鼓楼社区暖新驿站"},
    {"hz-legal-aid", "legal_aid", "法律援助申请受理", "Legal aid applications",
     "经济困难的劳动者可申请免费代理诉讼、仲裁",
     "Workers with low income can apply for free representation in court or "
     "arbitration",
     "经济困难或追索劳动报酬的劳动者", "Workers with low income, or claiming unpaid pay",
     "身份证|ID card;经济困难证明或个人承诺|Proof of low income or a personal "
     "declaration;案件材料|Papers of the case",
     "", "", true, false, "zh", "Mo-Fr 08:30-12:00,14:00-17:30; PH off", NULL},
    {"hz-labour-mediation", "labour_disputes", "欠薪投诉与劳动争议调解",
     "Unpaid wages and dispute mediation", "受理欠薪投诉，组织劳动者与平台、站点协商调解",
     "Takes complaints about unpaid wages and mediates between workers, "
     "platforms and depots",
     "", "", "身份证|ID card;劳动关系或接单记录|Proof of work or order records", "", "", true,
     false, "zh", "Mo-Fr 09:00-17:00; PH off", NULL},
    {"hz-labour-mediation", "legal_consultation", "劳动合同与用工协议审查",
     "Checking employment contracts", "帮助审查劳动合同、承揽协议中的条款",
     "Reads employment and service contracts with you", "", "", "合同文本|The contract", "", "",
     true, false, "zh", "We 09:00-12:00; PH off", NULL},
    {"hz-hr-market", "job_matching", "岗位推荐与零工对接", "Job referrals and gig matching",
     "推荐配送、仓储、客服等岗位，对接零工需求",
     "Referrals to delivery, warehouse and service jobs, and gig work", "", "", "身份证|ID card",
     "", "", true, false, "zh", "Mo-Fr 09:00-17:00; Sa 09:00-12:00; PH off", RIDERS_CENTRE},
    {"hz-hr-market", "jobs_hr", "就业失业登记", "Employment and unemployment registration",
     "办理就业登记、失业登记和就业困难人员认定",
     "Registering employment or unemployment, and hardship status", "", "", "身份证|ID card", "",
     "", true, false, "zh", "Mo-Fr 08:30-12:00,14:00-17:30; PH off", NULL},
    {"hz-hr-market", "job_matching", "每月招聘会", "Monthly job fair",
     "每月第一个星期五举办新就业形态专场招聘会",
     "A job fair for new-employment workers on the first Friday of the month", "", "", "", "", "",
     true, false, "zh", "Fr[1] 09:00-16:00; PH off", NULL},
    {"hz-skills-centre", "skills_training", "电动车维修技能培训", "E-bike repair course",
     "学习电动车常见故障排查与维修", "Finding and fixing common e-bike faults", "", "",
     "身份证|ID card", "", "", true, false, "zh", "Sa 14:00-17:00", RIDERS_CENTRE},
    {"hz-skills-centre", "skills_training", "网约车驾驶员从业资格考前培训",
     "Ride-hailing driver licence course", "网约车驾驶员从业资格证考前辅导",
     "Preparation for the ride-hailing driver's certificate", "", "",
     "身份证|ID card;驾驶证|Driving licence", "资料费50元，考试合格补贴",
     "Materials 50 yuan, refunded when you pass", false, false, "zh", "Sa,Su 09:00-12:00", NULL},
    {"hz-skills-centre", "skills_training", "直播带货技能培训", "Livestream selling course",
     "从选品、话术到直播间搭建的系统培训", "From choosing products to setting up the studio", "",
     "", "", "", "", true, false, "zh", "Tu,Th 19:00-21:00", LIVESTREAM_BASE},
    {"hz-livestream-base", "livestream_mentoring", "直播数据分析与导师点评",
     "Stream analytics with a mentor", "直播数据不理想时，导师帮你分析并给出改进建议",
     "When the numbers disappoint, a mentor analyses your stream and advises", "在海州开播的主播",
     "Hosts streaming in Haizhou", "", "", "", true, false, "zh", "Mo-Fr 14:00-18:00",
     LIVESTREAM_BASE},
    {"hz-livestream-base", "livestream_mentoring", "主播同行交流会", "Hosts' peer exchange",
     "每周主播交流会，分享经验、互相点评",
     "A weekly meeting of hosts to share and review each other's work", "", "", "", "", "", true,
     false, "zh", "We 19:00-21:00", LIVESTREAM_BASE},
    {"xn-health-centre", "health_check", "新就业群体免费健康体检", "Free health checks",
     "每年一次免费体检：血常规、心电图、B超等",
     "A free yearly check: blood count, ECG, ultrasound and more", "已认证的新就业形态劳动者",
     "Verified new-employment workers", "身份证|ID card", "", "", true, true, "zh",
     "Mo-Fr 08:00-11:00; PH off", NULL},
    {"xn-health-centre", "health_check", "血压血糖监测", "Blood pressure and sugar checks",
     "驿站内自助测量，家庭医生定期解读",
     "Measure yourself at the station; the family doctor reads the results", "", "", "", "", "",
     true, false, "zh", "Mo-Su 08:00-20:00", OTHER_XINNAN},
    {"xn-health-centre", "mental_health", "心理疏导与减压", "Counselling and stress relief",
     "心理咨询师面谈，缓解工作压力", "Talk to a counsellor about stress at work", "", "", "", "",
     "", true, false, "zh,en", "Th 18:30-20:30; PH off", NULL},
    {"hz-womens-federation", "childcare", "暑期爱心托管班", "Summer childcare",
     "暑假期间看护新就业群体子女，辅导作业、开展非遗体验",
     "Care for workers' children in the summer holidays: homework help and "
     "heritage crafts",
     "6至12岁的新就业群体子女", "Children aged 6 to 12 of new-employment workers",
     "家长身份证|Parent's ID card;孩子户口页|Child's household register page", "", "", true, true,
     "zh", "Jul-Aug Mo-Fr 08:00-17:30; PH off", OTHER_XINNAN},
    {"hz-womens-federation", "childcare", "课后作业辅导", "After-school homework help",
     "放学后看护与作业辅导", "Supervision and homework help after school", "小学生",
     "Primary school pupils", "", "", "", true, false, "zh", "Mo-Fr 16:30-18:30; PH off", NULL},
    {"hz-womens-federation", "childcare", "非遗体验课堂", "Intangible heritage workshops",
     "剪纸、泥塑等非遗体验，周末亲子参加",
     "Paper cutting, clay figures and other crafts for parents and children", "", "", "", "", "",
     true, false, "zh", "Sa 14:00-16:00", NULL},
    {"hz-trade-union", "trade_union", "新就业形态劳动者入会", "Joining the trade union",
     "现场或扫码加入工会，享受会员服务",
     "Join the union here or online and use its member services", "", "", "身份证|ID card", "", "",
     true, false, "zh", "Mo-Fr 08:30-17:30; PH off", RIDERS_CENTRE},
    {"hz-trade-union", "trade_union", "困难职工帮扶", "Hardship support",
     "因病、因灾生活困难的会员可申请帮扶",
     "Members in hardship after illness or disaster can apply for help", "工会会员",
     "Union members", "身份证|ID card;困难情况说明|A statement of the hardship", "", "", true, true,
     "zh", "Mo-Fr 08:30-17:30; PH off", NULL},
    {"hz-trade-union", "trade_union", "节日慰问品发放", "Holiday care packages",
     "春节、中秋等节日发放慰问品",
     "Care packages at the Spring Festival, Mid-Autumn and other holidays",
     "已认证的新就业形态劳动者", "Verified new-employment workers", "", "", "", true, true, "zh",
     "Mo-Fr 09:00-17:00", NULL},
    {"hz-warm-volunteers", "haircut", "爱心义剪", "Free haircuts",
     "志愿理发师每周六为骑手、快递员义剪",
     "Volunteer barbers cut riders' and couriers' hair on Saturdays", "", "", "", "", "", true,
     false, "zh", "Sa 09:00-12:00", NULL},
    {"hz-warm-volunteers", "repair", "电动车应急维修", "Emergency e-bike repairs",
     "补胎、换刹车片等小修，只收配件费",
     "Punctures, brake pads and other small repairs: pay for parts only", "", "", "",
     "配件按成本价收取", "Parts at cost", false, false, "zh", "Mo-Su 09:00-21:00", RIDERS_CENTRE},
    {"hz-warm-volunteers", "repair", "手机维修与贴膜", "Phone repairs and screen protectors",
     "手机小故障检测与贴膜", "Small phone repairs and screen protectors", "", "", "", "贴膜10元",
     "Screen protector 10 yuan", false, false, "zh", "Sa,Su 10:00-16:00", NULL},
    {"hz-warm-volunteers", "meals", "爱心餐", "Discounted meals", "凭码享用优惠工作餐",
     "Discounted meals with your worker code", "已认证的新就业形态劳动者",
     "Verified new-employment workers", "", "每餐优惠5元", "5 yuan off each meal", false, true,
     "zh", "Mo-Su 10:30-13:30,17:00-19:30", "暖新食堂·新南街道"},
    {"hz-warm-volunteers", "volunteering", "志愿服务队报名", "Join a volunteer squad",
     "加入快递员、骑手志愿服务队，参与社区服务",
     "Join the courier and rider volunteers serving the community", "", "", "", "", "", true, false,
     "zh", "Mo-Su 09:00-18:00", NULL},
    {"hz-warm-volunteers", "volunteering", "兼职网格员招募", "Part-time grid workers",
     "配送途中随手上报道路破损等问题，成为兼职网格员",
     "Report road damage and other problems on your rounds as a part-time grid "
     "worker",
     "已认证的新就业形态劳动者", "Verified new-employment workers", "身份证|ID card", "", "", true,
     true, "zh", "Mo-Fr 09:00-17:00; PH off", NULL},
};
#define NSERVICES (sizeof demo_services / sizeof demo_services[0])

/* The id of the demo site with exactly this name, or 0. */
static int64_t site_named(struct store_conn *c, struct arena *a, const char *name)
{
    struct site_query q = {0};
    q.text = text_like_contains(a, name);
    q.limit = 50;
    q.no_total = true;
    struct site *sites;
    size_t n;
    int64_t total;
    if (site_search(c, a, &q, &sites, &n, &total))
        return 0;
    for (size_t i = 0; i < n; i++)
        if (strcmp(sites[i].name_zh, name) == 0)
            return sites[i].id;
    return 0;
}

static void parse_documents(struct arena *a, const char *spec, struct service *s)
{
    s->ndocuments = 0;
    s->documents = arena_calloc(a, SERVICE_MAX_DOCUMENTS, sizeof(*s->documents));
    if (!spec || !*spec)
        return;
    char *copy = arena_strdup(a, spec), *save = NULL;
    for (char *tok = strtok_r(copy, ";", &save); tok && s->ndocuments < SERVICE_MAX_DOCUMENTS;
         tok = strtok_r(NULL, ";", &save)) {
        char *bar = strchr(tok, '|');
        if (bar)
            *bar = '\0';
        s->documents[s->ndocuments].zh = tok;
        s->documents[s->ndocuments].en = bar ? bar + 1 : "";
        s->ndocuments++;
    }
}

static int place(struct store_conn *c, struct arena *a, const struct service *s, int64_t site,
                 const char *hours, int64_t now)
{
    struct service_location l;
    memset(&l, 0, sizeof l);
    l.service_id = s->id;
    l.site.id = site;
    l.uuid = service_uuidf(a, "service_at_location:%lld:%lld", (long long)s->id, (long long)site);
    l.opening_hours = hours;
    l.note_zh = l.note_en = "";
    bool created;
    return location_put(c, &l, now, &created);
}

int service_demo(struct app *app, struct store_conn *c, int *count)
{
    (void)app;
    struct arena a;
    arena_init(&a);
    int64_t now = clock_now();
    int rc = service_delete_demo(c);
    for (size_t i = 0; !rc && i < NORGS; i++) {
        const struct demo_org *d = &demo_orgs[i];
        struct organization o;
        rc = organization_get(c, &a, d->code, &o);
        if (rc != STORE_NOT_FOUND)
            continue;
        organization_defaults(&o);
        o.code = d->code;
        o.name_zh = d->zh;
        o.name_en = d->en;
        o.description_zh = d->dzh;
        o.description_en = d->den;
        o.phone = d->phone;
        o.contact_name = d->contact;
        o.is_demo = true;
        rc = organization_insert(c, &a, &o, now);
    }
    int64_t centre = rc ? 0 : site_named(c, &a, CENTRE);
    if (!rc && !centre) {
        log_error("demo services: no site named %s (load the site demo data first)", CENTRE);
        rc = STORE_ERROR;
    }
    for (size_t i = 0; !rc && i < NSERVICES; i++) {
        const struct demo_service *d = &demo_services[i];
        struct service s;
        service_defaults(&s);
        s.org.code = d->org;
        s.category.code = d->category;
        s.name_zh = d->zh;
        s.name_en = d->en;
        s.description_zh = d->dzh;
        s.description_en = d->den;
        s.eligibility_zh = d->elig_zh;
        s.eligibility_en = d->elig_en;
        s.fees_zh = d->fees_zh;
        s.fees_en = d->fees_en;
        s.free = d->free;
        s.requires_verified = d->verified;
        s.languages = d->languages;
        s.is_demo = true;
        parse_documents(&a, d->docs, &s);
        struct service_fault f;
        if (service_check(&s, &f) || service_hours_check(d->hours, &f)) {
            log_error("demo service %s: %s %s", d->zh, f.field, f.message);
            rc = STORE_ERROR;
            break;
        }
        rc = service_insert(c, &a, &s, now, &f);
        if (rc == SERVICE_INVALID)
            log_error("demo service %s: %s %s", d->zh, f.field, f.message);
        bool at_centre = !d->also || strcmp(d->also, LIVESTREAM_BASE) != 0;
        if (!rc && at_centre)
            rc = place(c, &a, &s, centre, d->hours, now);
        if (!rc && d->also) {
            char *copy = arena_strdup(&a, d->also), *save = NULL;
            for (char *name = strtok_r(copy, ";", &save); !rc && name;
                 name = strtok_r(NULL, ";", &save)) {
                int64_t site = site_named(c, &a, name);
                if (site)
                    rc = place(c, &a, &s, site, d->hours, now);
                else
                    log_warn("demo service %s: no site named %s", d->zh, name);
            }
        }
        if (!rc)
            (*count)++;
    }
    arena_release(&a);
    return rc;
}
