#1776645797
free -m
#1776645851
systemctl status app
#1776667402
journalctl -u nginx --since today
#1776667478
free -m
#1776687314
tail -n 50 /var/log/syslog
#1776687404
ls -la /srv
#1776697403
journalctl -u nginx --since today
#1776697463
df -h
#1776705504
df -h
#1776705524
systemctl status app
#1776764210
tail -n 50 /var/log/syslog
#1776764288
systemctl status app
#1776764645
df -h
#1776764665
tail -n 50 /var/log/syslog
#1776768876
uptime
#1776768989
free -m
#1776770848
systemctl status app
#1776770934
free -m
#1776789253
free -m
#1776789340
journalctl -u nginx --since today
#1776816178
ls -la /srv
#1776816214
tail -n 50 /var/log/syslog
#1776819579
ls -la /srv
#1776819605
journalctl -u nginx --since today
#1776837823
journalctl -u nginx --since today
#1776837878
systemctl status app
#1776862976
tail -n 50 /var/log/syslog
#1776862989
journalctl -u nginx --since today
#1776863669
df -h
#1776863784
ls -la /srv
#1776881099
systemctl status app
#1776881155
tail -n 50 /var/log/syslog
#1776881357
journalctl -u nginx --since today
#1776881366
uptime
#1776883312
ls -la /srv
#1776883358
systemctl status app
