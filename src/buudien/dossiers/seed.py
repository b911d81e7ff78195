"""A realistic seed of common procedures handled through the post (BCCI)."""

from __future__ import annotations

from django.db import transaction

from buudien.core.text import build_search_text
from buudien.dossiers.models import Procedure, RequiredDocument
from buudien.network.models import Partner, PostUnit

AGENCIES = [
    ("TTHCC04", "Trung tâm Phục vụ hành chính công tỉnh Cao Bằng", "public_admin_centre"),
    ("CA04", "Công an tỉnh Cao Bằng", "police"),
    ("BHXH04", "Bảo hiểm xã hội tỉnh Cao Bằng", "social_insurance"),
    ("UBNDXA04", "Ủy ban nhân dân cấp xã (tỉnh Cao Bằng)", "commune_committee"),
    ("SNNMT04", "Sở Nông nghiệp và Môi trường tỉnh Cao Bằng", "other"),
    ("STP04", "Sở Tư pháp tỉnh Cao Bằng", "other"),
    ("STC04", "Sở Tài chính tỉnh Cao Bằng (đăng ký kinh doanh)", "other"),
    ("SYT04", "Sở Y tế tỉnh Cao Bằng (bảo trợ xã hội)", "social_protection"),
]

CCCD = ("Căn cước công dân / thẻ căn cước", "either", 1, True)
PHOTO = ("Ảnh 3x4 nền trắng", "original", 2, True)
FORM = ("Tờ khai theo mẫu", "original", 1, True)
AUTH = ("Giấy ủy quyền (khi nộp thay)", "original", 1, False)

# code, name, agency, field, working days, agency fee, documents
PROCEDURES = [
    (
        "1.001193",
        "Đăng ký khai sinh",
        "UBNDXA04",
        "Hộ tịch",
        1,
        0,
        [FORM, ("Giấy chứng sinh", "original", 1, True), CCCD, AUTH],
    ),
    (
        "1.000894",
        "Đăng ký kết hôn",
        "UBNDXA04",
        "Hộ tịch",
        3,
        0,
        [FORM, CCCD, ("Giấy xác nhận tình trạng hôn nhân", "original", 1, False)],
    ),
    (
        "1.000656",
        "Đăng ký khai tử",
        "UBNDXA04",
        "Hộ tịch",
        1,
        0,
        [FORM, ("Giấy báo tử", "original", 1, True), CCCD],
    ),
    ("1.004873", "Cấp bản sao trích lục hộ tịch", "UBNDXA04", "Hộ tịch", 1, 8_000, [FORM, CCCD]),
    ("1.001022", "Xác nhận tình trạng hôn nhân", "UBNDXA04", "Hộ tịch", 3, 0, [FORM, CCCD]),
    (
        "1.000689",
        "Đăng ký nhận cha, mẹ, con",
        "UBNDXA04",
        "Hộ tịch",
        3,
        0,
        [FORM, CCCD, ("Chứng cứ chứng minh quan hệ cha, mẹ, con", "copy", 1, True)],
    ),
    (
        "1.003583",
        "Chứng thực bản sao từ bản chính",
        "UBNDXA04",
        "Chứng thực",
        1,
        2_000,
        [("Bản chính giấy tờ cần chứng thực", "original", 1, True), CCCD],
    ),
    (
        "1.001600",
        "Đăng ký thường trú",
        "CA04",
        "Cư trú",
        7,
        20_000,
        [FORM, ("Giấy tờ chứng minh chỗ ở hợp pháp", "copy", 1, True), CCCD],
    ),
    (
        "1.001611",
        "Đăng ký tạm trú",
        "CA04",
        "Cư trú",
        3,
        15_000,
        [FORM, ("Giấy tờ chứng minh chỗ ở hợp pháp", "copy", 1, True), CCCD],
    ),
    ("1.001622", "Xóa đăng ký thường trú", "CA04", "Cư trú", 1, 0, [FORM, CCCD]),
    ("2.001633", "Cấp đổi thẻ căn cước", "CA04", "Căn cước", 7, 50_000, [FORM, CCCD]),
    (
        "1.002809",
        "Cấp đổi giấy phép lái xe",
        "CA04",
        "Đường bộ",
        5,
        135_000,
        [
            FORM,
            ("Giấy phép lái xe cũ", "original", 1, True),
            ("Giấy khám sức khỏe người lái xe", "original", 1, True),
            CCCD,
        ],
    ),
    (
        "1.002804",
        "Cấp lại giấy phép lái xe bị mất",
        "CA04",
        "Đường bộ",
        5,
        135_000,
        [FORM, ("Giấy khám sức khỏe người lái xe", "original", 1, True), CCCD],
    ),
    (
        "2.000123",
        "Đăng ký xe mô tô, xe gắn máy",
        "CA04",
        "Đăng ký xe",
        2,
        500_000,
        [
            FORM,
            ("Chứng từ nguồn gốc xe", "original", 1, True),
            ("Chứng từ lệ phí trước bạ", "original", 1, True),
            CCCD,
        ],
    ),
    (
        "1.001111",
        "Cấp phiếu lý lịch tư pháp",
        "STP04",
        "Lý lịch tư pháp",
        10,
        200_000,
        [FORM, CCCD, ("Giấy tờ chứng minh cư trú", "copy", 1, False)],
    ),
    (
        "1.004209",
        "Cấp giấy chứng nhận quyền sử dụng đất lần đầu",
        "SNNMT04",
        "Đất đai",
        20,
        100_000,
        [
            FORM,
            ("Giấy tờ về quyền sử dụng đất", "copy", 1, True),
            ("Sơ đồ thửa đất", "original", 1, False),
            CCCD,
        ],
    ),
    (
        "1.004227",
        "Đăng ký biến động đất đai (chuyển nhượng)",
        "SNNMT04",
        "Đất đai",
        10,
        50_000,
        [
            FORM,
            ("Hợp đồng chuyển nhượng có công chứng", "original", 1, True),
            ("Giấy chứng nhận quyền sử dụng đất", "original", 1, True),
            CCCD,
        ],
    ),
    (
        "1.004238",
        "Cấp đổi giấy chứng nhận quyền sử dụng đất",
        "SNNMT04",
        "Đất đai",
        10,
        50_000,
        [FORM, ("Giấy chứng nhận quyền sử dụng đất", "original", 1, True), CCCD],
    ),
    (
        "1.004246",
        "Đính chính giấy chứng nhận quyền sử dụng đất",
        "SNNMT04",
        "Đất đai",
        10,
        0,
        [FORM, ("Giấy chứng nhận quyền sử dụng đất", "original", 1, True)],
    ),
    (
        "1.000681",
        "Tách thửa, hợp thửa đất",
        "SNNMT04",
        "Đất đai",
        15,
        50_000,
        [FORM, ("Giấy chứng nhận quyền sử dụng đất", "original", 1, True), CCCD],
    ),
    ("1.001264", "Cấp lại sổ bảo hiểm xã hội", "BHXH04", "Bảo hiểm xã hội", 10, 0, [FORM, CCCD]),
    (
        "1.001243",
        "Giải quyết hưởng chế độ thai sản",
        "BHXH04",
        "Bảo hiểm xã hội",
        6,
        0,
        [FORM, ("Giấy khai sinh của con", "copy", 1, True), CCCD],
    ),
    (
        "1.001256",
        "Giải quyết hưởng BHXH một lần",
        "BHXH04",
        "Bảo hiểm xã hội",
        10,
        0,
        [FORM, ("Sổ bảo hiểm xã hội", "original", 1, True), CCCD],
    ),
    (
        "1.001268",
        "Giải quyết hưởng lương hưu",
        "BHXH04",
        "Bảo hiểm xã hội",
        20,
        0,
        [FORM, ("Sổ bảo hiểm xã hội", "original", 1, True), CCCD],
    ),
    ("1.001272", "Cấp lại, đổi thẻ bảo hiểm y tế", "BHXH04", "Bảo hiểm y tế", 3, 0, [FORM, CCCD]),
    (
        "1.001276",
        "Đăng ký tham gia BHXH tự nguyện",
        "BHXH04",
        "Bảo hiểm xã hội",
        5,
        0,
        [FORM, CCCD],
    ),
    (
        "1.001280",
        "Giải quyết trợ cấp mai táng",
        "BHXH04",
        "Bảo hiểm xã hội",
        5,
        0,
        [FORM, ("Giấy chứng tử", "copy", 1, True), CCCD],
    ),
    (
        "2.000046",
        "Đăng ký thành lập hộ kinh doanh",
        "STC04",
        "Đăng ký kinh doanh",
        3,
        100_000,
        [FORM, CCCD, ("Hợp đồng thuê địa điểm", "copy", 1, False)],
    ),
    (
        "2.000047",
        "Đăng ký thay đổi nội dung hộ kinh doanh",
        "STC04",
        "Đăng ký kinh doanh",
        3,
        100_000,
        [FORM, ("Giấy chứng nhận đăng ký hộ kinh doanh", "original", 1, True)],
    ),
    (
        "1.001612",
        "Đăng ký thành lập doanh nghiệp tư nhân",
        "STC04",
        "Đăng ký kinh doanh",
        3,
        50_000,
        [FORM, CCCD],
    ),
    (
        "1.005384",
        "Đăng ký thành lập hợp tác xã",
        "STC04",
        "Kinh tế hợp tác",
        5,
        100_000,
        [
            FORM,
            ("Điều lệ hợp tác xã", "original", 1, True),
            ("Nghị quyết hội nghị thành lập", "original", 1, True),
        ],
    ),
    (
        "1.001776",
        "Trợ cấp xã hội hàng tháng cho người cao tuổi",
        "SYT04",
        "Bảo trợ xã hội",
        15,
        0,
        [FORM, CCCD],
    ),
    (
        "1.001758",
        "Trợ cấp xã hội cho người khuyết tật",
        "SYT04",
        "Bảo trợ xã hội",
        15,
        0,
        [FORM, ("Giấy xác nhận khuyết tật", "copy", 1, True), CCCD],
    ),
    (
        "1.001739",
        "Hỗ trợ chi phí mai táng cho đối tượng bảo trợ",
        "SYT04",
        "Bảo trợ xã hội",
        5,
        0,
        [FORM, ("Giấy chứng tử", "copy", 1, True)],
    ),
    ("1.002519", "Xác nhận hộ nghèo, hộ cận nghèo", "UBNDXA04", "Giảm nghèo", 7, 0, [FORM, CCCD]),
    (
        "1.003005",
        "Cấp giấy phép xây dựng nhà ở riêng lẻ",
        "TTHCC04",
        "Xây dựng",
        15,
        75_000,
        [
            FORM,
            ("Giấy chứng nhận quyền sử dụng đất", "copy", 1, True),
            ("Bản vẽ thiết kế", "original", 2, True),
        ],
    ),
    (
        "1.002425",
        "Cấp giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm",
        "TTHCC04",
        "An toàn thực phẩm",
        15,
        500_000,
        [FORM, ("Bản thuyết minh cơ sở vật chất", "original", 1, True)],
    ),
    (
        "1.004494",
        "Cấp giấy phép kinh doanh bán lẻ rượu",
        "TTHCC04",
        "Thương mại",
        10,
        200_000,
        [FORM, ("Giấy chứng nhận đăng ký kinh doanh", "copy", 1, True)],
    ),
    (
        "1.000775",
        "Công nhận sản phẩm OCOP",
        "TTHCC04",
        "Phát triển nông thôn",
        30,
        0,
        [FORM, ("Hồ sơ sản phẩm", "original", 1, True)],
    ),
    (
        "1.001045",
        "Cấp thẻ bảo hiểm y tế cho trẻ em dưới 6 tuổi",
        "BHXH04",
        "Bảo hiểm y tế",
        5,
        0,
        [FORM, ("Giấy khai sinh", "copy", 1, True)],
    ),
    (
        "1.009994",
        "Cấp giấy chứng nhận quyền sở hữu nhà ở",
        "SNNMT04",
        "Nhà ở",
        15,
        100_000,
        [FORM, ("Giấy tờ tạo lập nhà ở", "copy", 1, True), CCCD],
    ),
    (
        "1.000433",
        "Đăng ký khai sinh cho người đã có hồ sơ, giấy tờ cá nhân",
        "UBNDXA04",
        "Hộ tịch",
        3,
        0,
        [FORM, ("Giấy tờ cá nhân", "copy", 1, True), CCCD],
    ),
]


@transaction.atomic
def seed_procedures() -> int:
    served_by = PostUnit.objects.filter(kind="province").order_by("code").first()
    partners = {}
    for code, name, kind in AGENCIES:
        partner = Partner.objects.filter(code=code).first() or Partner(code=code)
        partner.name, partner.kind, partner.is_public_agency = name, kind, True
        if partner.served_by_id is None:
            partner.served_by = served_by
        partner.save()
        partners[code] = partner
    for code, name, agency, field, days, fee, docs in PROCEDURES:
        procedure, _ = Procedure.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "agency": partners[agency],
                "field": field,
                "processing_days": days,
                "agency_fee": fee,
                "search_text": build_search_text(code, name, field),
            },
        )
        if procedure.documents.exists():
            continue
        RequiredDocument.objects.bulk_create(
            RequiredDocument(
                procedure=procedure, name=d[0], form=d[1], copies=d[2], required=d[3], order=i
            )
            for i, d in enumerate(docs)
        )
    return len(PROCEDURES)
